package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kessai/kessai"
)

// A customer's cards are rows of the vault's cards table with its
// customer_id; the vault attaches them (vault.AttachCard). This file reads
// them and changes only their non-sensitive columns.

const cardCols = `id, account_id, livemode, customer_id, brand, last_digits, name, expiration_month, expiration_year,
	country, financing, bank, street1, street2, city, state, postal_code, phone_number, fingerprint,
	security_code_check, created_at`

func scanCard(r rowScanner) (*kessai.Card, error) {
	c := &kessai.Card{Object: "card"}
	var customer sql.NullString
	var created int64
	err := r.Scan(&c.ID, &c.AccountID, &c.Livemode, &customer, &c.Brand, &c.LastDigits, &c.Name, &c.ExpirationMonth, &c.ExpirationYear,
		&c.Country, &c.Financing, &c.Bank, &c.Street1, &c.Street2, &c.City, &c.State, &c.PostalCode, &c.PhoneNumber, &c.Fingerprint,
		&c.SecurityCodeCheck, &created)
	if err != nil {
		return nil, err
	}
	c.CustomerID = customer.String
	if c.CustomerID != "" {
		loc := kessai.CustomerCardLocation(c.CustomerID, c.ID)
		c.Location = &loc
	}
	c.CreatedAt = kessai.Time{Time: FromMicros(created)}
	return c, nil
}

// ListCustomerCards returns a page of the cards of a customer of the account
// and mode, deleted ones left out. Returns ENotFound for a missing or deleted
// customer.
func (db *DB) ListCustomerCards(ctx context.Context, accountID string, livemode bool, customerID string, p kessai.ListParams) (*kessai.List[*kessai.Card], error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM customers WHERE id = $1 AND account_id = $2 AND livemode = $3 AND deleted = FALSE`,
		customerID, accountID, livemode).Scan(&n); err != nil {
		return nil, fmt.Errorf("list cards: %w", err)
	}
	if n == 0 {
		return nil, kessai.NotFound("customer", customerID)
	}
	p = NormalizeList(p, db.Now())
	var data []*kessai.Card
	total, err := db.page(ctx, listQuery{
		table: "cards", cols: cardCols,
		where: "customer_id = $1 AND account_id = $2 AND livemode = $3 AND deleted = FALSE", args: []any{customerID, accountID, livemode},
	}, p, func(r rowScanner) error {
		c, err := scanCard(r)
		data = append(data, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	return kessai.NewList(kessai.CustomerLocation(customerID)+"/cards", p, data, total), nil
}

const findCardQuery = `SELECT ` + cardCols + ` FROM cards WHERE id = $1 AND customer_id = $2 AND account_id = $3 AND livemode = $4 AND deleted = FALSE`

// FindCustomerCard returns a card of a customer of the account and mode.
// Returns ENotFound for a missing or deleted card.
func (db *DB) FindCustomerCard(ctx context.Context, accountID string, livemode bool, customerID, cardID string) (*kessai.Card, error) {
	return cardResult(scanCard(db.QueryRowContext(ctx, findCardQuery, cardID, customerID, accountID, livemode)))(cardID)
}

// FindCustomerCard is [DB.FindCustomerCard] in the transaction.
func (tx *Tx) FindCustomerCard(accountID string, livemode bool, customerID, cardID string) (*kessai.Card, error) {
	return cardResult(scanCard(tx.QueryRow(findCardQuery, cardID, customerID, accountID, livemode)))(cardID)
}

func cardResult(c *kessai.Card, err error) func(id string) (*kessai.Card, error) {
	return func(id string) (*kessai.Card, error) {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, kessai.NotFound("card", id)
		}
		if err != nil {
			return nil, fmt.Errorf("find card: %w", err)
		}
		return c, nil
	}
}

// UpdateCustomerCard stores a saved card's name, expiry, city and postal
// code. Returns ENotFound for a missing or deleted card.
func (tx *Tx) UpdateCustomerCard(c *kessai.Card) error {
	res, err := tx.Exec(`UPDATE cards SET name = $1, expiration_month = $2, expiration_year = $3, city = $4, postal_code = $5
		WHERE id = $6 AND customer_id = $7 AND deleted = FALSE`,
		c.Name, c.ExpirationMonth, c.ExpirationYear, c.City, c.PostalCode, c.ID, c.CustomerID)
	if err != nil {
		return fmt.Errorf("update card: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return kessai.NotFound("card", c.ID)
	}
	return nil
}

// SetCardSecurityCodeCheck records whether the issuer checked a card's
// security code and found it right, as the Card object's
// security_code_check shows. Returns ENotFound.
func (tx *Tx) SetCardSecurityCodeCheck(cardID string, ok bool) error {
	res, err := tx.Exec(`UPDATE cards SET security_code_check = $1 WHERE id = $2`, ok, cardID)
	if err != nil {
		return fmt.Errorf("set security code check: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return kessai.NotFound("card", cardID)
	}
	return nil
}

// DeleteCustomerCard marks a card of a customer of the account and mode
// deleted. Returns ENotFound for a missing or deleted card.
func (tx *Tx) DeleteCustomerCard(accountID string, livemode bool, customerID, cardID string) error {
	res, err := tx.Exec(`UPDATE cards SET deleted = TRUE WHERE id = $1 AND customer_id = $2 AND account_id = $3 AND livemode = $4 AND deleted = FALSE`,
		cardID, customerID, accountID, livemode)
	if err != nil {
		return fmt.Errorf("delete card: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return kessai.NotFound("card", cardID)
	}
	return nil
}

// LatestCustomerCard returns the id of the most recently added card of a
// customer that is not deleted, or "" when it has none: the default card
// after the default one is deleted.
func (tx *Tx) LatestCustomerCard(customerID string) (string, error) {
	var id string
	err := tx.QueryRow(`SELECT id FROM cards WHERE customer_id = $1 AND deleted = FALSE ORDER BY created_at DESC, id DESC LIMIT 1`, customerID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("latest card: %w", err)
	}
	return id, nil
}

// attachCards sets each customer's Cards to the first page (20, oldest
// first) of its cards, with one query for all.
func (db *DB) attachCards(ctx context.Context, customers []*kessai.Customer) error {
	return loadCards(customers, db.Now(), func(q string, args ...any) (*sql.Rows, error) {
		return db.QueryContext(ctx, q, args...)
	})
}

// LoadCustomerCards sets c.Cards to the first page (20, oldest first) of its
// cards as stored in the transaction, for an event's snapshot of c.
func (tx *Tx) LoadCustomerCards(c *kessai.Customer) error {
	return loadCards([]*kessai.Customer{c}, tx.Now, tx.Query)
}

func loadCards(customers []*kessai.Customer, now time.Time, query func(q string, args ...any) (*sql.Rows, error)) error {
	if len(customers) == 0 {
		return nil
	}
	p := NormalizeList(kessai.ListParams{}, now)
	byID := make(map[string]*kessai.Customer, len(customers))
	ids := make([]any, 0, len(customers))
	for _, c := range customers {
		c.Cards = kessai.NewList[*kessai.Card](kessai.CustomerLocation(c.ID)+"/cards", p, nil, 0)
		byID[c.ID] = c
		ids = append(ids, c.ID)
	}
	rows, err := query(`SELECT `+cardCols+` FROM cards WHERE customer_id IN (`+placeholders(1, len(ids))+`) AND deleted = FALSE ORDER BY created_at, id`, ids...)
	if err != nil {
		return fmt.Errorf("customer cards: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		card, err := scanCard(rows)
		if err != nil {
			return fmt.Errorf("customer cards: %w", err)
		}
		l := byID[card.CustomerID].Cards
		l.Total++
		if len(l.Data) < l.Limit {
			l.Data = append(l.Data, card)
		}
	}
	return rows.Err()
}
