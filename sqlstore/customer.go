package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/kessai/kessai"
)

const customerCols = `id, account_id, livemode, email, description, default_card, metadata, created_at`

func scanCustomer(r rowScanner) (*kessai.Customer, error) {
	c := &kessai.Customer{}
	var meta string
	var created int64
	if err := r.Scan(&c.ID, &c.AccountID, &c.Livemode, &c.Email, &c.Description, &c.DefaultCard, &meta, &created); err != nil {
		return nil, err
	}
	c.Metadata = metadataOf(meta)
	c.CreatedAt = kessai.Time{Time: FromMicros(created)}
	c.Derive()
	return c, nil
}

// InsertCustomer stores a new customer, filling in an empty ID and CreatedAt
// (tx.Now). Its cards are attached by the vault.
func (tx *Tx) InsertCustomer(c *kessai.Customer) error {
	if c.ID == "" {
		c.ID = kessai.NewID(kessai.PrefixCustomer, c.Livemode)
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = kessai.Time{Time: tx.Now}
	}
	c.Derive()
	meta, err := jsonArg(c.Metadata)
	if err != nil {
		return fmt.Errorf("customer metadata: %w", err)
	}
	_, err = tx.Exec(`INSERT INTO customers (`+customerCols+`, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		c.ID, c.AccountID, c.Livemode, c.Email, c.Description, c.DefaultCard, meta, Micros(c.CreatedAt.Time), Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("insert customer: %w", err)
	}
	return nil
}

// UpdateCustomer stores a customer's email, description, default card and
// metadata. Returns ENotFound for a missing or deleted customer.
func (tx *Tx) UpdateCustomer(c *kessai.Customer) error {
	c.Derive()
	meta, err := jsonArg(c.Metadata)
	if err != nil {
		return fmt.Errorf("customer metadata: %w", err)
	}
	res, err := tx.Exec(`UPDATE customers SET email = $2, description = $3, default_card = $4, metadata = $5, updated_at = $6
		WHERE id = $1 AND deleted = FALSE`, c.ID, c.Email, c.Description, c.DefaultCard, meta, Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("update customer: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return kessai.NotFound("customer", c.ID)
	}
	return nil
}

// DeleteCustomer marks a customer of the account and mode deleted and its
// cards with it. Returns ENotFound for a missing or deleted customer.
func (tx *Tx) DeleteCustomer(accountID string, livemode bool, id string) error {
	res, err := tx.Exec(`UPDATE customers SET deleted = TRUE, default_card = NULL, updated_at = $4
		WHERE id = $1 AND account_id = $2 AND livemode = $3 AND deleted = FALSE`, id, accountID, livemode, Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("delete customer: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return kessai.NotFound("customer", id)
	}
	if _, err := tx.Exec(`UPDATE cards SET deleted = TRUE WHERE customer_id = $1`, id); err != nil {
		return fmt.Errorf("delete customer cards: %w", err)
	}
	return nil
}

// FindCustomer returns a customer of the account and mode as stored in the
// transaction, without its cards. Returns ENotFound for a missing or deleted
// customer.
func (tx *Tx) FindCustomer(accountID string, livemode bool, id string) (*kessai.Customer, error) {
	c, err := scanCustomer(tx.QueryRow(`SELECT `+customerCols+` FROM customers WHERE id = $1 AND account_id = $2 AND livemode = $3 AND deleted = FALSE`,
		id, accountID, livemode))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kessai.NotFound("customer", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find customer: %w", err)
	}
	return c, nil
}

// FindCustomer returns a customer of the account and mode with the first
// page of its cards. Returns ENotFound for a missing or deleted customer.
func (db *DB) FindCustomer(ctx context.Context, accountID string, livemode bool, id string) (*kessai.Customer, error) {
	c, err := scanCustomer(db.QueryRowContext(ctx, `SELECT `+customerCols+` FROM customers WHERE id = $1 AND account_id = $2 AND livemode = $3 AND deleted = FALSE`,
		id, accountID, livemode))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kessai.NotFound("customer", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find customer: %w", err)
	}
	if err := db.attachCards(ctx, []*kessai.Customer{c}); err != nil {
		return nil, err
	}
	return c, nil
}

// ListCustomers returns a page of the customers of the account and mode,
// deleted ones left out, each with the first page of its cards.
func (db *DB) ListCustomers(ctx context.Context, accountID string, livemode bool, p kessai.ListParams) (*kessai.List[*kessai.Customer], error) {
	p = NormalizeList(p, db.Now())
	var data []*kessai.Customer
	total, err := db.page(ctx, listQuery{
		table: "customers", cols: customerCols,
		where: "account_id = $1 AND livemode = $2 AND deleted = FALSE", args: []any{accountID, livemode},
	}, p, func(r rowScanner) error {
		c, err := scanCustomer(r)
		data = append(data, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := db.attachCards(ctx, data); err != nil {
		return nil, err
	}
	return kessai.NewList("/customers", p, data, total), nil
}
