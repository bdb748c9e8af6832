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

func TestSearchCharges(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		acct := mustAccount(t, db)
		mk := func(i int, edit func(c *kessai.Charge)) *kessai.Charge {
			c := testCharge(acct, t0.Add(time.Duration(i)*time.Hour))
			c.Inflight = ""
			c.MarkAuthorized(c.CreatedAt.Time, "1")
			c.MarkCaptured(c.Amount, c.CreatedAt.Time, "")
			edit(c)
			c.Derive()
			return c
		}
		paid := mk(0, func(c *kessai.Charge) { c.Description = ptr("Order 100% genuine") })
		refunded := mk(1, func(c *kessai.Charge) { c.RefundedAmount = 2000; c.Customer = ptr("cust_test_1") })
		declined := mk(2, func(c *kessai.Charge) {
			c.Status, c.AuthorizedAt, c.PaidAt, c.CapturedAmount = kessai.ChargePending, nil, nil, 0
			c.MarkFailed("insufficient_fund", "")
			c.Card.LastDigits = "0011"
		})
		yen := mk(3, func(c *kessai.Charge) {
			c.Currency, c.Amount, c.CapturedAmount = "jpy", 2000, 2000
			c.Metadata = kessai.Metadata{"sku": "TEA_POT"}
		})
		pending := mk(4, func(c *kessai.Charge) {
			c.Status, c.PaidAt, c.CapturedAmount = kessai.ChargePending, nil, 0
			c.Card.Name = "Kanokwan Suksawat"
		})
		mustWrite(t, db, func(tx *sqlstore.Tx) error {
			for _, c := range []*kessai.Charge{paid, refunded, declined, yen, pending} {
				if err := tx.InsertCharge(c); err != nil {
					return err
				}
			}
			live := mk(0, func(c *kessai.Charge) { c.Livemode = true })
			return tx.InsertCharge(live)
		})
		tests := []struct {
			name    string
			query   string
			filters map[string]string
			order   kessai.Order
			want    []*kessai.Charge
		}{
			{"everything, newest first", "", nil, "", []*kessai.Charge{pending, yen, declined, refunded, paid}},
			{"chronological", "", nil, kessai.Chronological, []*kessai.Charge{paid, refunded, declined, yen, pending}},
			{"query description with a wildcard character", "100%", nil, "", []*kessai.Charge{paid}},
			{"query is case-insensitive", "GENUINE", nil, "", []*kessai.Charge{paid}},
			{"query metadata underscore", "tea_pot", nil, "", []*kessai.Charge{yen}},
			{"query percent sign is literal", "tea%pot", nil, "", nil},
			{"query card name", "kanokwan", nil, "", []*kessai.Charge{pending}},
			{"query customer", "cust_test_1", nil, "", []*kessai.Charge{refunded}},
			{"amount in main units, thb", "", map[string]string{"amount": "1000"}, "", []*kessai.Charge{pending, declined, refunded, paid}},
			{"amount in main units, jpy", "", map[string]string{"amount": "2000"}, "", []*kessai.Charge{yen}},
			{"amount range", "", map[string]string{"amount": "1500..2500"}, "", []*kessai.Charge{yen}},
			{"captured", "", map[string]string{"captured": "yes"}, "", []*kessai.Charge{yen, refunded, paid}},
			{"not authorized", "", map[string]string{"authorized": "false"}, "", []*kessai.Charge{declined}},
			{"refunded", "", map[string]string{"refunded": "true"}, "", []*kessai.Charge{refunded}},
			{"refund amount", "", map[string]string{"refund_amount": "20"}, "", []*kessai.Charge{refunded}},
			{"status and failure code", "", map[string]string{"status": "failed", "failure_code": "insufficient_fund"}, "", []*kessai.Charge{declined}},
			{"card last digits", "", map[string]string{"card_last_digits": "0011"}, "", []*kessai.Charge{declined}},
			{"currency", "", map[string]string{"currency": "JPY"}, "", []*kessai.Charge{yen}},
			{"customer present", "", map[string]string{"customer_present": "yes"}, "", []*kessai.Charge{refunded}},
			{"created range", "", map[string]string{"created": t0.Add(time.Hour).Format(time.RFC3339) + ".." + t0.Add(2*time.Hour).Format(time.RFC3339)}, "", []*kessai.Charge{declined, refunded}},
			{"disputed", "", map[string]string{"disputed": "true"}, "", nil},
			{"query and filter", "genuine", map[string]string{"captured": "no"}, "", nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p := &kessai.SearchParams{Scope: kessai.ScopeCharge, Query: tt.query, Filters: tt.filters, Order: tt.order}
				if err := p.Normalize(); err != nil {
					t.Fatal(err)
				}
				f, err := kessai.ParseChargeFilter(p.Filters, t0)
				if err != nil {
					t.Fatal(err)
				}
				got, total, err := db.SearchCharges(ctx, acct.ID, false, p, f)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(chargeIDs(tt.want), chargeIDs(got)); diff != "" {
					t.Errorf("results (-want +got):\n%s", diff)
				}
				if total != len(tt.want) {
					t.Errorf("total = %d, want %d", total, len(tt.want))
				}
			})
		}

		// Pages.
		p := &kessai.SearchParams{Scope: kessai.ScopeCharge, Page: 2, PerPage: 2}
		if err := p.Normalize(); err != nil {
			t.Fatal(err)
		}
		got, total, err := db.SearchCharges(ctx, acct.ID, false, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{declined.ID, refunded.ID}, chargeIDs(got)); diff != "" || total != 5 {
			t.Errorf("page 2 (-want +got):\n%s total %d", diff, total)
		}
		if got[1].Refunds == nil {
			t.Error("search results lack their refunds list")
		}
	})
}

func TestSearchCustomersAndRefunds(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		acct := mustAccount(t, db)
		a := &kessai.Customer{AccountID: acct.ID, Email: ptr("Somchai@Example.com"), Description: ptr("VIP"), CreatedAt: kessai.Time{Time: t0}}
		b := &kessai.Customer{AccountID: acct.ID, Email: ptr("kanokwan@example.com"), Metadata: kessai.Metadata{"city": "Chiang Mai"}, CreatedAt: kessai.Time{Time: t0.AddDate(0, 0, 3)}}
		gone := &kessai.Customer{AccountID: acct.ID, Email: ptr("gone@example.com"), CreatedAt: kessai.Time{Time: t0}}
		c := mustCapturedCharge(t, db, acct)
		r := &kessai.Refund{AccountID: acct.ID, Charge: c.ID, Amount: 5050, Currency: "thb", Status: kessai.RefundClosed, Voided: true, CreatedAt: kessai.Time{Time: t0}}
		mustWrite(t, db, func(tx *sqlstore.Tx) error {
			for _, cu := range []*kessai.Customer{a, b, gone} {
				if err := tx.InsertCustomer(cu); err != nil {
					return err
				}
			}
			if err := tx.InsertRefund(r); err != nil {
				return err
			}
			return tx.DeleteCustomer(acct.ID, false, gone.ID)
		})
		custIDs := func(cs []*kessai.Customer) []string { return ids(cs, func(c *kessai.Customer) string { return c.ID }) }
		for _, tt := range []struct {
			name    string
			query   string
			filters map[string]string
			want    []string
		}{
			{"all but deleted", "", nil, []string{b.ID, a.ID}},
			{"query email", "somchai", nil, []string{a.ID}},
			{"query metadata", "chiang", nil, []string{b.ID}},
			{"email filter ignores case", "", map[string]string{"email": "somchai@example.com"}, []string{a.ID}},
			{"created", "", map[string]string{"created": t0.Format("2006-01-02")}, []string{a.ID}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				p := &kessai.SearchParams{Scope: kessai.ScopeCustomer, Query: tt.query, Filters: tt.filters}
				p.Normalize()
				f, err := kessai.ParseCustomerFilter(p.Filters, t0)
				if err != nil {
					t.Fatal(err)
				}
				got, total, err := db.SearchCustomers(ctx, acct.ID, false, p, f)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, custIDs(got)); diff != "" || total != len(tt.want) {
					t.Errorf("results (-want +got):\n%s total %d", diff, total)
				}
			})
		}

		p := &kessai.SearchParams{Scope: kessai.ScopeRefund, Filters: map[string]string{"amount": "50.5", "voided": "yes"}}
		p.Normalize()
		f, err := kessai.ParseRefundFilter(p.Filters, t0)
		if err != nil {
			t.Fatal(err)
		}
		got, total, err := db.SearchRefunds(ctx, acct.ID, false, p, f)
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || got[0].ID != r.ID {
			t.Errorf("refund search = %v (%d)", got, total)
		}
		p = &kessai.SearchParams{Scope: kessai.ScopeRefund, Query: c.ID[len(c.ID)-8:]}
		p.Normalize()
		if got, _, _ := db.SearchRefunds(ctx, acct.ID, false, p, nil); len(got) != 1 {
			t.Errorf("refund search by charge id = %v", got)
		}
	})
}
