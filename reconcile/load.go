package reconcile

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/issuersim"
	"github.com/kessai/kessai/sqlstore"
)

// pageSize is how many rows or ledger entries are read at a time.
const pageSize = 1000

// maxPending bounds the link requests awaiting an answer read at once;
// more than that many in flight means the gateway is busy, not settled.
const maxPending = 100000

// horizon is a time after every pending request's creation.
func horizon() time.Time { return time.Now().Add(24 * time.Hour) }

const chargeColumns = `id, status, inflight, amount, currency, captured_amount, authorized_at`

func scanCharge(rows *sql.Rows) (*charge, error) {
	var c charge
	var authorized sql.NullInt64
	if err := rows.Scan(&c.id, &c.status, &c.inflight, &c.amount, &c.currency, &c.captured, &authorized); err != nil {
		return nil, err
	}
	c.authorized = authorized.Valid
	return &c, nil
}

const refundColumns = `id, charge_id, status, amount, currency`

func scanRefund(rows *sql.Rows) (*refund, error) {
	var f refund
	if err := rows.Scan(&f.id, &f.charge, &f.status, &f.amount, &f.currency); err != nil {
		return nil, err
	}
	return &f, nil
}

// readRows runs a query and scans each row with scan into add.
func readRows[T any](ctx context.Context, db *sqlstore.DB, scan func(*sql.Rows) (T, error), add func(T), query string, args ...any) (int, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return n, err
		}
		add(v)
		n++
	}
	return n, rows.Err()
}

// loadGateway reads the gateway's charges and refunds into s (those with
// the given ids, or all when ids is nil), then the link's reversal queue
// and its requests awaiting an answer.
func loadGateway(ctx context.Context, db *sqlstore.DB, s *snapshot, ids []string) error {
	addCharge := func(c *charge) { s.charges[c.id] = c }
	addRefund := func(f *refund) { s.refunds[f.id] = f }
	if ids == nil {
		for after := ""; ; {
			n, err := readRows(ctx, db, scanCharge, func(c *charge) { addCharge(c); after = c.id },
				`SELECT `+chargeColumns+` FROM charges WHERE id > $1 ORDER BY id LIMIT $2`, after, pageSize)
			if err != nil {
				return fmt.Errorf("reconcile: read charges: %w", err)
			}
			if n < pageSize {
				break
			}
		}
		for after := ""; ; {
			n, err := readRows(ctx, db, scanRefund, func(f *refund) { addRefund(f); after = f.id },
				`SELECT `+refundColumns+` FROM refunds WHERE id > $1 ORDER BY id LIMIT $2`, after, pageSize)
			if err != nil {
				return fmt.Errorf("reconcile: read refunds: %w", err)
			}
			if n < pageSize {
				break
			}
		}
	} else {
		for _, id := range ids {
			if _, err := readRows(ctx, db, scanCharge, addCharge, `SELECT `+chargeColumns+` FROM charges WHERE id = $1`, id); err != nil {
				return fmt.Errorf("reconcile: read charge: %w", err)
			}
			if _, err := readRows(ctx, db, scanRefund, addRefund, `SELECT `+refundColumns+` FROM refunds WHERE id = $1`, id); err != nil {
				return fmt.Errorf("reconcile: read refund: %w", err)
			}
		}
	}

	queued, err := db.ListReversals(ctx, kessai.ReversalQueued)
	if err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	s.pendingReversals = len(queued)
	for _, rev := range queued {
		s.unsettled[rev.Message.Reference] = true
	}
	expired, err := db.ListReversals(ctx, kessai.ReversalExpired)
	if err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	s.expiredReversals = len(expired)
	pending, err := db.StaleNetworkMessages(ctx, horizon(), maxPending)
	if err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	for _, m := range pending {
		s.unsettled[m.Reference] = true
	}
	return nil
}

// loadLedger reads the issuer's ledger entries under ref (all when ref is
// "") into s.
func loadLedger(ctx context.Context, l Ledger, s *snapshot, ref string) error {
	var after int64
	for {
		entries, err := l.Ledger(ctx, issuersim.LedgerQuery{Reference: ref, After: after, Limit: pageSize})
		if err != nil {
			return fmt.Errorf("reconcile: read the issuer's ledger: %w", err)
		}
		for i := range entries {
			s.issuer.add(&entries[i])
			after = entries[i].Seq
		}
		if len(entries) < pageSize {
			return nil
		}
	}
}
