package vault

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/sqlstore"
)

// cardColumns are the columns of cards that make a [kessai.Card], in the
// order scanCard reads them; c is the table's alias.
const cardColumns = `c.id, c.account_id, c.livemode, c.customer_id, c.fingerprint, c.brand,
	c.last_digits, c.name, c.expiration_month, c.expiration_year, c.country, c.financing, c.bank,
	c.street1, c.street2, c.city, c.state, c.postal_code, c.phone_number,
	c.security_code_check, c.deleted, c.created_at`

type scanner interface{ Scan(dest ...any) error }

// scanCard reads cardColumns, then the extra destinations, into a Card.
func scanCard(sc scanner, extra ...any) (*kessai.Card, error) {
	c := &kessai.Card{Object: "card"}
	var customer, street1, street2, city, state, postal, phone sql.NullString
	var created int64
	dest := append([]any{
		&c.ID, &c.AccountID, &c.Livemode, &customer, &c.Fingerprint, &c.Brand,
		&c.LastDigits, &c.Name, &c.ExpirationMonth, &c.ExpirationYear, &c.Country, &c.Financing, &c.Bank,
		&street1, &street2, &city, &state, &postal, &phone,
		&c.SecurityCodeCheck, &c.Deleted, &created,
	}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	c.Street1, c.Street2, c.City, c.State = strPtr(street1), strPtr(street2), strPtr(city), strPtr(state)
	c.PostalCode, c.PhoneNumber = strPtr(postal), strPtr(phone)
	c.CreatedAt = kessai.Time{Time: sqlstore.FromMicros(created)}
	if customer.Valid {
		c.CustomerID = customer.String
		loc := "/customers/" + customer.String + "/cards/" + c.ID
		c.Location = &loc
	}
	return c, nil
}

func strPtr(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

// nullString stores "" as NULL, so that the Card object shows null.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Card returns the card of the caller's account and mode with the given id,
// without its number. Returns ENotFound "card <id> was not found" if there is
// none or it was deleted.
func (v *Vault) Card(ctx context.Context, auth *kessai.Auth, id string) (*kessai.Card, error) {
	c, err := scanCard(v.db.QueryRowContext(ctx, `SELECT `+cardColumns+` FROM cards c
		WHERE c.id = $1 AND c.account_id = $2 AND c.livemode = $3 AND NOT c.deleted`,
		id, auth.AccountID, auth.Livemode))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("card", id)
	}
	if err != nil {
		return nil, fmt.Errorf("vault: find card: %w", err)
	}
	return c, nil
}

// AttachCard attaches a card of the caller's account and mode to a customer,
// in tx, the caller's write transaction; the card's location becomes
// "/customers/<customer>/cards/<card>". Returns ENotFound if the card does
// not exist, was deleted, or is attached to a customer already.
func (v *Vault) AttachCard(tx *sqlstore.Tx, auth *kessai.Auth, cardID, customerID string) error {
	res, err := tx.Exec(`UPDATE cards SET customer_id = $1
		WHERE id = $2 AND account_id = $3 AND livemode = $4 AND customer_id IS NULL AND NOT deleted`,
		customerID, cardID, auth.AccountID, auth.Livemode)
	if err != nil {
		return fmt.Errorf("vault: attach card: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("vault: attach card: %w", err)
	} else if n != 1 {
		return notFound("card", cardID)
	}
	return nil
}

// notFound returns ENotFound "<kind> <id> was not found", leaving out an id
// that could be card data (a client may send a card number where an id
// belongs, and messages reach logs and responses).
func notFound(kind, id string) *kessai.Error {
	if !echoable(id) {
		return kessai.Errorf(kessai.ENotFound, "%s was not found", kind)
	}
	return kessai.NotFound(kind, id)
}

// echoable reports whether id is short, made of id characters, and has no
// run of 12 or more digits (the shortest card number).
func echoable(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	run := 0
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= '0' && c <= '9':
			if run++; run >= 12 {
				return false
			}
			continue
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == '-':
		default:
			return false
		}
		run = 0
	}
	return true
}
