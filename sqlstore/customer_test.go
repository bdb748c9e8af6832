package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
)

// insertCard stores a card row as the vault would, unattached.
func insertCard(t *testing.T, tx *sqlstore.Tx, acct *kessai.Account, last string, created time.Time) string {
	t.Helper()
	id := kessai.NewID(kessai.PrefixCard, false)
	_, err := tx.Exec(`INSERT INTO cards (id, account_id, livemode, number_ciphertext, key_id, fingerprint, brand, bin, last_digits,
		name, expiration_month, expiration_year, country, financing, bank, city, postal_code, security_code_check, created_at)
		VALUES ($1, $2, FALSE, $3, 1, 'fp', 'Visa', '424242', $4, 'Somchai Prasert', 12, 2030, 'us', 'credit', 'Kessai Test Bank', 'Bangkok', '10320', TRUE, $5)`,
		id, acct.ID, []byte{1, 2, 3}, last, sqlstore.Micros(created))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestCustomerStore(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		acct := mustAccount(t, db)
		c := &kessai.Customer{AccountID: acct.ID, Email: ptr("somchai@example.com"), Metadata: kessai.Metadata{"tier": "gold"}, CreatedAt: kessai.Time{Time: t0}}
		var card1, card2, loose string
		mustWrite(t, db, func(tx *sqlstore.Tx) error {
			if err := tx.InsertCustomer(c); err != nil {
				return err
			}
			card1 = insertCard(t, tx, acct, "4242", t0)
			card2 = insertCard(t, tx, acct, "1111", t0.Add(time.Minute))
			loose = insertCard(t, tx, acct, "0005", t0)
			for _, id := range []string{card1, card2} {
				if _, err := tx.Exec(`UPDATE cards SET customer_id = $1 WHERE id = $2`, c.ID, id); err != nil {
					return err
				}
			}
			c.DefaultCard = &card1
			return tx.UpdateCustomer(c)
		})
		if !kessai.HasPrefix(c.ID, kessai.PrefixCustomer) {
			t.Fatalf("id = %q", c.ID)
		}
		got, err := db.FindCustomer(ctx, acct.ID, false, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if *got.DefaultCard != card1 || *got.Email != "somchai@example.com" || got.Metadata["tier"] != "gold" || got.Description != nil {
			t.Errorf("customer = %+v", got)
		}
		if diff := cmp.Diff([]string{card1, card2}, ids(got.Cards.Data, func(c *kessai.Card) string { return c.ID })); diff != "" {
			t.Errorf("cards (-want +got):\n%s", diff)
		}
		card := got.Cards.Data[0]
		if *card.Location != "/customers/"+c.ID+"/cards/"+card1 || card.LastDigits != "4242" || card.ExpirationMonth != 12 || !card.SecurityCodeCheck || *card.City != "Bangkok" {
			t.Errorf("card = %+v", card)
		}
		if got.Cards.Location != "/customers/"+c.ID+"/cards" || got.Cards.Total != 2 {
			t.Errorf("cards list: %s total %d", got.Cards.Location, got.Cards.Total)
		}

		l, err := db.ListCustomerCards(ctx, acct.ID, false, c.ID, kessai.ListParams{Order: kessai.ReverseChronological, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if l.Total != 2 || len(l.Data) != 1 || l.Data[0].ID != card2 {
			t.Errorf("card page = %+v", l)
		}
		if _, err := db.FindCustomerCard(ctx, acct.ID, false, c.ID, loose); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("unattached card found: %v", err)
		}

		// Update a card, delete the default one: the latest remaining card
		// takes over.
		mustWrite(t, db, func(tx *sqlstore.Tx) error {
			cd, err := tx.FindCustomerCard(acct.ID, false, c.ID, card2)
			if err != nil {
				return err
			}
			cd.Name, cd.ExpirationYear, cd.PostalCode = "S. Prasert", 2031, ptr("10110")
			if err := tx.UpdateCustomerCard(cd); err != nil {
				return err
			}
			if err := tx.DeleteCustomerCard(acct.ID, false, c.ID, card1); err != nil {
				return err
			}
			next, err := tx.LatestCustomerCard(c.ID)
			if err != nil {
				return err
			}
			cur, err := tx.FindCustomer(acct.ID, false, c.ID)
			if err != nil {
				return err
			}
			cur.DefaultCard = &next
			return tx.UpdateCustomer(cur)
		})
		got, _ = db.FindCustomer(ctx, acct.ID, false, c.ID)
		if *got.DefaultCard != card2 || got.Cards.Total != 1 || got.Cards.Data[0].Name != "S. Prasert" || got.Cards.Data[0].ExpirationYear != 2031 || *got.Cards.Data[0].PostalCode != "10110" {
			t.Errorf("after card changes: default %v cards %+v", *got.DefaultCard, got.Cards.Data)
		}
		err = db.Write(ctx, func(tx *sqlstore.Tx) error { return tx.DeleteCustomerCard(acct.ID, false, c.ID, card1) })
		if kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("delete a deleted card: %v", err)
		}

		// Customers list; deletion hides the customer and its cards.
		other := &kessai.Customer{AccountID: acct.ID, Description: ptr("second"), CreatedAt: kessai.Time{Time: t0.Add(time.Hour)}}
		mustWrite(t, db, func(tx *sqlstore.Tx) error { return tx.InsertCustomer(other) })
		cl, err := db.ListCustomers(ctx, acct.ID, false, kessai.ListParams{})
		if err != nil {
			t.Fatal(err)
		}
		if cl.Total != 2 || cl.Data[0].ID != c.ID || cl.Data[0].Cards.Total != 1 || cl.Data[1].Cards.Total != 0 || cl.Location != "/customers" {
			t.Errorf("customers = %+v", cl)
		}
		mustWrite(t, db, func(tx *sqlstore.Tx) error { return tx.DeleteCustomer(acct.ID, false, c.ID) })
		if _, err := db.FindCustomer(ctx, acct.ID, false, c.ID); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("deleted customer found: %v", err)
		}
		if _, err := db.ListCustomerCards(ctx, acct.ID, false, c.ID, kessai.ListParams{}); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("cards of a deleted customer: %v", err)
		}
		var alive int
		db.QueryRowContext(ctx, `SELECT count(*) FROM cards WHERE customer_id = $1 AND deleted = FALSE`, c.ID).Scan(&alive)
		if alive != 0 {
			t.Errorf("%d cards of the deleted customer remain", alive)
		}
		err = db.Write(ctx, func(tx *sqlstore.Tx) error { return tx.DeleteCustomer(acct.ID, false, c.ID) })
		if kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("delete twice: %v", err)
		}
		err = db.Write(ctx, func(tx *sqlstore.Tx) error { return tx.UpdateCustomer(c) })
		if kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("update a deleted customer: %v", err)
		}
		if cl, _ := db.ListCustomers(ctx, acct.ID, false, kessai.ListParams{}); cl.Total != 1 {
			t.Errorf("customers after delete = %d", cl.Total)
		}
	})
}
