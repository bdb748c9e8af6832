package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/kessai/kessai"
)

const reversalColumns = `r.id, r.message_id, r.reason, r.stan, r.transmitted_at, r.status, r.attempts,
	r.next_attempt_at, r.response_code, r.created_at, r.done_at`

// QueueReversal queues rev unless its message has a reversal already, and
// returns the reversal queued or found (without its Message).
func (db *DB) QueueReversal(ctx context.Context, rev *kessai.NetworkReversal) (*kessai.NetworkReversal, error) {
	var out *kessai.NetworkReversal
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		out, err = queueReversal(tx, rev)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("queue reversal: %w", err)
	}
	return out, nil
}

// queueReversal inserts rev in tx unless its message has a reversal, and
// reads back the one that is there.
func queueReversal(tx *Tx, rev *kessai.NetworkReversal) (*kessai.NetworkReversal, error) {
	next := rev.NextAttemptAt
	if next.IsZero() {
		next = tx.Now
	}
	_, err := tx.Exec(`INSERT INTO network_reversals (id, message_id, reason, stan, transmitted_at, status,
			attempts, next_attempt_at, response_code, created_at, done_at)
		VALUES ($1, $2, $3, $4, $5, $6, 0, $7, '', $8, 0)
		ON CONFLICT (message_id) DO NOTHING`,
		"nrev_"+kessai.RandomString(20), rev.MessageID, rev.Reason, rev.STAN, Micros(rev.TransmittedAt),
		kessai.ReversalQueued, Micros(next), Micros(tx.Now))
	if err != nil {
		return nil, err
	}
	return scanReversal(tx.QueryRow(`SELECT `+reversalColumns+` FROM network_reversals r WHERE r.message_id = $1`, rev.MessageID), false)
}

// DueReversals returns up to limit queued reversals due at now, with their
// Message, the longest waiting first.
func (db *DB) DueReversals(ctx context.Context, now time.Time, limit int) ([]*kessai.NetworkReversal, error) {
	rows, err := db.QueryContext(ctx, `SELECT `+reversalColumns+`, `+networkQualified("m.", networkMessageColumns)+`
		FROM network_reversals r JOIN network_messages m ON m.id = r.message_id
		WHERE r.status = $1 AND r.next_attempt_at <= $2
		ORDER BY r.next_attempt_at, r.created_at LIMIT $3`,
		kessai.ReversalQueued, Micros(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due reversals: %w", err)
	}
	return collectReversals(rows)
}

// ListReversals returns the reversals with status ("" for all), oldest
// first, with their Message.
func (db *DB) ListReversals(ctx context.Context, status string) ([]*kessai.NetworkReversal, error) {
	rows, err := db.QueryContext(ctx, `SELECT `+reversalColumns+`, `+networkQualified("m.", networkMessageColumns)+`
		FROM network_reversals r JOIN network_messages m ON m.id = r.message_id
		WHERE $1 = '' OR r.status = $1
		ORDER BY r.created_at, r.id`, status)
	if err != nil {
		return nil, fmt.Errorf("list reversals: %w", err)
	}
	return collectReversals(rows)
}

// ClaimReversal records an attempt of a queued reversal that has had
// attempts attempts; it reports false when another sender got there first.
func (db *DB) ClaimReversal(ctx context.Context, id string, attempts int, next time.Time) (bool, error) {
	var ok bool
	err := db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE network_reversals SET attempts = $3, next_attempt_at = $4
			WHERE id = $1 AND status = $5 AND attempts = $2`,
			id, attempts, attempts+1, Micros(next), kessai.ReversalQueued)
		if err != nil {
			return err
		}
		ok, err = networkAffectedOne(res)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("claim reversal: %w", err)
	}
	return ok, nil
}

// FinishReversal ends a queued reversal with status and response code.
func (db *DB) FinishReversal(ctx context.Context, id, status, responseCode string) error {
	err := db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`UPDATE network_reversals SET status = $2, response_code = $3, done_at = $4
			WHERE id = $1 AND status = $5`,
			id, status, responseCode, Micros(tx.Now), kessai.ReversalQueued)
		return err
	})
	if err != nil {
		return fmt.Errorf("finish reversal: %w", err)
	}
	return nil
}

func collectReversals(rows *sql.Rows) ([]*kessai.NetworkReversal, error) {
	defer rows.Close()
	var out []*kessai.NetworkReversal
	for rows.Next() {
		r, err := scanReversal(rows, true)
		if err != nil {
			return nil, fmt.Errorf("scan reversal: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read reversals: %w", err)
	}
	return out, nil
}

// scanReversal reads the reversal columns and, with withMessage, the
// message columns that follow them.
func scanReversal(s networkRow, withMessage bool) (*kessai.NetworkReversal, error) {
	var r kessai.NetworkReversal
	var sent, next, created, done int64
	dest := []any{&r.ID, &r.MessageID, &r.Reason, &r.STAN, &sent, &r.Status, &r.Attempts,
		&next, &r.ResponseCode, &created, &done}
	var m kessai.NetworkMessage
	var mSent, mCreated, mAnswered int64
	if withMessage {
		dest = append(dest, &m.ID, &m.Reference, &m.MTI, &m.ProcessingCode, &m.STAN, &mSent, &m.AcquirerID,
			&m.TerminalID, &m.MerchantID, &m.RRN, &m.Amount, &m.Currency, &m.LastDigits, &m.OriginalID, &m.Status,
			&m.ResponseCode, &m.ApprovalCode, &mCreated, &mAnswered)
	}
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	r.TransmittedAt, r.NextAttemptAt, r.CreatedAt, r.DoneAt = FromMicros(sent), FromMicros(next), FromMicros(created), FromMicros(done)
	if withMessage {
		m.TransmittedAt, m.CreatedAt, m.AnsweredAt = FromMicros(mSent), FromMicros(mCreated), FromMicros(mAnswered)
		r.Message = &m
	}
	return &r, nil
}

// networkQualified qualifies each column of a comma-separated list with p.
func networkQualified(p, columns string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
