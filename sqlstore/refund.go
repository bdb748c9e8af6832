package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/kessai/kessai"
)

const refundCols = `id, account_id, livemode, charge_id, amount, currency, status, voided, transaction_id, metadata, network_ref, created_at`

func scanRefund(r rowScanner) (*kessai.Refund, error) {
	f := &kessai.Refund{}
	var meta string
	var created int64
	err := r.Scan(&f.ID, &f.AccountID, &f.Livemode, &f.Charge, &f.Amount, &f.Currency, &f.Status, &f.Voided,
		&f.Transaction, &meta, &f.NetworkRef, &created)
	if err != nil {
		return nil, err
	}
	f.Metadata = metadataOf(meta)
	f.CreatedAt = kessai.Time{Time: FromMicros(created)}
	f.Derive()
	return f, nil
}

// InsertRefund stores a new refund, filling in an empty ID and CreatedAt
// (tx.Now). The charge's refunded_amount is the caller's to update, in the
// same transaction.
func (tx *Tx) InsertRefund(f *kessai.Refund) error {
	if f.ID == "" {
		f.ID = kessai.NewID(kessai.PrefixRefund, f.Livemode)
	}
	if f.CreatedAt.IsZero() {
		f.CreatedAt = kessai.Time{Time: tx.Now}
	}
	f.Derive()
	meta, err := jsonArg(f.Metadata)
	if err != nil {
		return fmt.Errorf("refund metadata: %w", err)
	}
	_, err = tx.Exec(`INSERT INTO refunds (`+refundCols+`, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		f.ID, f.AccountID, f.Livemode, f.Charge, f.Amount, f.Currency, f.Status, f.Voided, f.Transaction, meta, f.NetworkRef,
		Micros(f.CreatedAt.Time), Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("insert refund: %w", err)
	}
	return nil
}

// UpdateRefund stores a refund's status, voided flag, transaction, metadata
// and network reference. Returns ENotFound.
func (tx *Tx) UpdateRefund(f *kessai.Refund) error {
	f.Derive()
	meta, err := jsonArg(f.Metadata)
	if err != nil {
		return fmt.Errorf("refund metadata: %w", err)
	}
	res, err := tx.Exec(`UPDATE refunds SET status = $2, voided = $3, transaction_id = $4, metadata = $5, network_ref = $6, updated_at = $7 WHERE id = $1`,
		f.ID, f.Status, f.Voided, f.Transaction, meta, f.NetworkRef, Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("update refund: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return kessai.NotFound("refund", f.ID)
	}
	return nil
}

// FindRefund returns a refund of the account and mode, whatever its status,
// as stored in the transaction. Returns ENotFound.
func (tx *Tx) FindRefund(accountID string, livemode bool, id string) (*kessai.Refund, error) {
	f, err := scanRefund(tx.QueryRow(`SELECT `+refundCols+` FROM refunds WHERE id = $1 AND account_id = $2 AND livemode = $3`, id, accountID, livemode))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kessai.NotFound("refund", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find refund: %w", err)
	}
	return f, nil
}

// FindRefund returns a refund of a charge of the account and mode. A failed
// refund is not found: it never happened. Returns ENotFound.
func (db *DB) FindRefund(ctx context.Context, accountID string, livemode bool, chargeID, id string) (*kessai.Refund, error) {
	f, err := scanRefund(db.QueryRowContext(ctx, `SELECT `+refundCols+` FROM refunds WHERE id = $1 AND charge_id = $2 AND account_id = $3 AND livemode = $4 AND status <> 'failed'`,
		id, chargeID, accountID, livemode))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kessai.NotFound("refund", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find refund: %w", err)
	}
	return f, nil
}

// ListRefunds returns a page of the refunds of a charge of the account and
// mode, failed ones left out. Returns ENotFound when there is no such charge.
func (db *DB) ListRefunds(ctx context.Context, accountID string, livemode bool, chargeID string, p kessai.ListParams) (*kessai.List[*kessai.Refund], error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM charges WHERE id = $1 AND account_id = $2 AND livemode = $3`, chargeID, accountID, livemode).Scan(&n); err != nil {
		return nil, fmt.Errorf("list refunds: %w", err)
	}
	if n == 0 {
		return nil, kessai.NotFound("charge", chargeID)
	}
	p = NormalizeList(p, db.Now())
	var data []*kessai.Refund
	total, err := db.page(ctx, listQuery{
		table: "refunds", cols: refundCols,
		where: "charge_id = $1 AND account_id = $2 AND livemode = $3 AND status <> 'failed'", args: []any{chargeID, accountID, livemode},
	}, p, func(r rowScanner) error {
		f, err := scanRefund(r)
		data = append(data, f)
		return err
	})
	if err != nil {
		return nil, err
	}
	return kessai.NewList(kessai.ChargeLocation(chargeID)+"/refunds", p, data, total), nil
}

// PendingRefunds returns up to limit refunds of every account that are still
// on their way to the network, oldest first: the work of the recovery pass.
func (db *DB) PendingRefunds(ctx context.Context, limit int) ([]*kessai.Refund, error) {
	rows, err := db.QueryContext(ctx, `SELECT `+refundCols+` FROM refunds WHERE status = 'pending' ORDER BY created_at, id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("pending refunds: %w", err)
	}
	defer rows.Close()
	var out []*kessai.Refund
	for rows.Next() {
		f, err := scanRefund(rows)
		if err != nil {
			return nil, fmt.Errorf("pending refunds: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// attachRefunds sets each charge's Refunds to the first page (20, oldest
// first) of its refunds, failed ones left out, with one query for all.
func (db *DB) attachRefunds(ctx context.Context, charges []*kessai.Charge) error {
	if len(charges) == 0 {
		return nil
	}
	now := db.Now()
	p := NormalizeList(kessai.ListParams{}, now)
	byID := make(map[string]*kessai.Charge, len(charges))
	ids := make([]any, 0, len(charges))
	for _, c := range charges {
		c.Refunds = kessai.NewList[*kessai.Refund](kessai.ChargeLocation(c.ID)+"/refunds", p, nil, 0)
		byID[c.ID] = c
		ids = append(ids, c.ID)
	}
	rows, err := db.QueryContext(ctx, `SELECT `+refundCols+` FROM refunds WHERE charge_id IN (`+placeholders(1, len(ids))+`) AND status <> 'failed' ORDER BY created_at, id`, ids...)
	if err != nil {
		return fmt.Errorf("charge refunds: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		f, err := scanRefund(rows)
		if err != nil {
			return fmt.Errorf("charge refunds: %w", err)
		}
		l := byID[f.Charge].Refunds
		l.Total++
		if len(l.Data) < l.Limit {
			l.Data = append(l.Data, f)
		}
	}
	return rows.Err()
}
