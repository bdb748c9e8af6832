package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/kessai/kessai"
)

const transactionCols = `id, account_id, livemode, direction, key, origin, amount, currency, transferable_at, created_at`

func scanTransaction(r rowScanner) (*kessai.Transaction, error) {
	t := &kessai.Transaction{}
	var transferable, created int64
	if err := r.Scan(&t.ID, &t.AccountID, &t.Livemode, &t.Direction, &t.Key, &t.Origin, &t.Amount, &t.Currency, &transferable, &created); err != nil {
		return nil, err
	}
	t.TransferableAt = kessai.Time{Time: FromMicros(transferable)}
	t.CreatedAt = kessai.Time{Time: FromMicros(created)}
	t.Derive()
	return t, nil
}

// InsertTransaction stores a ledger entry, filling in an empty ID, CreatedAt
// (tx.Now) and TransferableAt (CreatedAt). Fails for a direction other than
// credit or debit or a negative amount.
func (tx *Tx) InsertTransaction(t *kessai.Transaction) error {
	if t.Direction != kessai.Credit && t.Direction != kessai.Debit {
		return fmt.Errorf("insert transaction: bad direction %q", t.Direction)
	}
	if t.Amount < 0 {
		return fmt.Errorf("insert transaction: negative amount %d", t.Amount)
	}
	if t.ID == "" {
		t.ID = kessai.NewID(kessai.PrefixTransaction, t.Livemode)
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = kessai.Time{Time: tx.Now}
	}
	if t.TransferableAt.IsZero() {
		t.TransferableAt = t.CreatedAt
	}
	t.Derive()
	_, err := tx.Exec(`INSERT INTO transactions (`+transactionCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		t.ID, t.AccountID, t.Livemode, t.Direction, t.Key, t.Origin, t.Amount, t.Currency,
		Micros(t.TransferableAt.Time), Micros(t.CreatedAt.Time))
	if err != nil {
		return fmt.Errorf("insert transaction: %w", err)
	}
	return nil
}

// FindTransaction returns a transaction of the account and mode. Returns
// ENotFound.
func (db *DB) FindTransaction(ctx context.Context, accountID string, livemode bool, id string) (*kessai.Transaction, error) {
	t, err := scanTransaction(db.QueryRowContext(ctx, `SELECT `+transactionCols+` FROM transactions WHERE id = $1 AND account_id = $2 AND livemode = $3`,
		id, accountID, livemode))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kessai.NotFound("transaction", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find transaction: %w", err)
	}
	return t, nil
}

// ListTransactions returns a page of the transactions of the account and
// mode.
func (db *DB) ListTransactions(ctx context.Context, accountID string, livemode bool, p kessai.ListParams) (*kessai.List[*kessai.Transaction], error) {
	p = NormalizeList(p, db.Now())
	var data []*kessai.Transaction
	total, err := db.page(ctx, listQuery{
		table: "transactions", cols: transactionCols,
		where: "account_id = $1 AND livemode = $2", args: []any{accountID, livemode},
	}, p, func(r rowScanner) error {
		t, err := scanTransaction(r)
		data = append(data, t)
		return err
	})
	if err != nil {
		return nil, err
	}
	return kessai.NewList("/transactions", p, data, total), nil
}
