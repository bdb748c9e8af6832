package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kessai/kessai"
)

var _ kessai.NetworkStore = (*DB)(nil)

// maxSTAN is the largest trace number; counters wrap to 1 after it.
const maxSTAN = 999999

// ReserveSTANs reserves n consecutive trace numbers of a terminal and
// returns the first. When the block would pass 999999 the counter starts
// again at 1. Fails for n outside 1..999999.
func (db *DB) ReserveSTANs(ctx context.Context, terminalID string, n int) (int, error) {
	if n < 1 || n > maxSTAN {
		return 0, fmt.Errorf("reserve stans: bad block size %d", n)
	}
	var last int64
	err := db.Write(ctx, func(tx *Tx) error {
		return tx.QueryRow(`INSERT INTO network_stans (terminal_id, last) VALUES ($1, $2)
			ON CONFLICT (terminal_id) DO UPDATE SET last =
				CASE WHEN network_stans.last + $2 > 999999 THEN $2 ELSE network_stans.last + $2 END
			RETURNING last`, terminalID, int64(n)).Scan(&last)
	})
	if err != nil {
		return 0, fmt.Errorf("reserve stans: %w", err)
	}
	return int(last) - n + 1, nil
}

const networkMessageColumns = `id, reference, mti, processing_code, stan, transmitted_at, acquirer_id,
	terminal_id, merchant_id, rrn, amount, currency, last_digits, original_id, status, response_code,
	approval_code, created_at, answered_at`

// CreateNetworkMessage records m as pending; m.ID, m.Status and
// m.CreatedAt are filled in.
func (db *DB) CreateNetworkMessage(ctx context.Context, m *kessai.NetworkMessage) error {
	rec := *m
	rec.ID = ""
	err := db.Write(ctx, func(tx *Tx) error { return tx.InsertNetworkMessage(&rec) })
	if err != nil {
		return fmt.Errorf("create network message: %w", err)
	}
	m.ID, m.Status, m.CreatedAt = rec.ID, rec.Status, rec.CreatedAt
	return nil
}

// NewNetworkMessageID returns a new id for a network message record.
func NewNetworkMessageID() string { return "nmsg_" + kessai.RandomString(20) }

// InsertNetworkMessage records m as pending in tx, under m.ID (a new id
// when empty); m.ID, m.Status and m.CreatedAt are filled in, once the
// transaction commits for AfterCommit callers to rely on.
func (tx *Tx) InsertNetworkMessage(m *kessai.NetworkMessage) error {
	id := m.ID
	if id == "" {
		id = NewNetworkMessageID()
	}
	_, err := tx.Exec(`INSERT INTO network_messages (`+networkMessageColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, '', '', $16, 0)`,
		id, m.Reference, m.MTI, m.ProcessingCode, m.STAN, Micros(m.TransmittedAt), m.AcquirerID,
		m.TerminalID, m.MerchantID, m.RRN, m.Amount, m.Currency, m.LastDigits, m.OriginalID,
		kessai.NetworkPending, Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("insert network message: %w", err)
	}
	m.ID, m.Status, m.CreatedAt = id, kessai.NetworkPending, tx.Now
	return nil
}

// AnswerNetworkMessage records the answer of a pending message and reports
// whether it was still pending.
func (db *DB) AnswerNetworkMessage(ctx context.Context, id, responseCode, approvalCode string) (bool, error) {
	var ok bool
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		ok, err = tx.AnswerNetworkMessage(id, responseCode, approvalCode)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("answer network message: %w", err)
	}
	return ok, nil
}

// AnswerNetworkMessage records the answer of a pending message in tx and
// reports whether it was still pending; when it was not (the link gave it
// up and is reversing it), nothing changes and the answer must not be
// used.
func (tx *Tx) AnswerNetworkMessage(id, responseCode, approvalCode string) (bool, error) {
	res, err := tx.Exec(`UPDATE network_messages SET status = $2, response_code = $3, approval_code = $4, answered_at = $5
		WHERE id = $1 AND status = $6`,
		id, kessai.NetworkAnswered, responseCode, approvalCode, Micros(tx.Now), kessai.NetworkPending)
	if err != nil {
		return false, err
	}
	return networkAffectedOne(res)
}

// AbandonNetworkMessage gives up a pending message with status and queues
// rev (when not nil) in the same transaction. It reports whether the
// message was still pending.
func (db *DB) AbandonNetworkMessage(ctx context.Context, id, status string, rev *kessai.NetworkReversal) (bool, error) {
	var ok bool
	var queued *kessai.NetworkReversal
	err := db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE network_messages SET status = $2, answered_at = $3 WHERE id = $1 AND status = $4`,
			id, status, Micros(tx.Now), kessai.NetworkPending)
		if err != nil {
			return err
		}
		if ok, err = networkAffectedOne(res); err != nil || !ok || rev == nil {
			return err
		}
		r := *rev
		r.MessageID = id
		queued, err = queueReversal(tx, &r)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("abandon network message: %w", err)
	}
	if queued != nil {
		*rev = *queued
	}
	return ok, nil
}

// FindNetworkMessage returns the record with the given id, or ENotFound.
func (db *DB) FindNetworkMessage(ctx context.Context, id string) (*kessai.NetworkMessage, error) {
	m, err := scanNetworkMessage(db.QueryRowContext(ctx, `SELECT `+networkMessageColumns+` FROM network_messages WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kessai.NotFound("network message", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find network message: %w", err)
	}
	return m, nil
}

// FindNetworkMessages returns the records of a reference, oldest first.
func (db *DB) FindNetworkMessages(ctx context.Context, reference string) ([]*kessai.NetworkMessage, error) {
	rows, err := db.QueryContext(ctx, `SELECT `+networkMessageColumns+` FROM network_messages
		WHERE reference = $1 ORDER BY created_at, transmitted_at, stan`, reference)
	if err != nil {
		return nil, fmt.Errorf("find network messages: %w", err)
	}
	return collectNetworkMessages(rows)
}

// StaleNetworkMessages returns up to limit pending messages created before
// before, oldest first.
func (db *DB) StaleNetworkMessages(ctx context.Context, before time.Time, limit int) ([]*kessai.NetworkMessage, error) {
	rows, err := db.QueryContext(ctx, `SELECT `+networkMessageColumns+` FROM network_messages
		WHERE status = $1 AND created_at < $2 ORDER BY created_at LIMIT $3`,
		kessai.NetworkPending, Micros(before), limit)
	if err != nil {
		return nil, fmt.Errorf("stale network messages: %w", err)
	}
	return collectNetworkMessages(rows)
}

func collectNetworkMessages(rows *sql.Rows) ([]*kessai.NetworkMessage, error) {
	defer rows.Close()
	var out []*kessai.NetworkMessage
	for rows.Next() {
		m, err := scanNetworkMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("scan network message: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read network messages: %w", err)
	}
	return out, nil
}

type networkRow interface{ Scan(dest ...any) error }

func scanNetworkMessage(s networkRow) (*kessai.NetworkMessage, error) {
	var m kessai.NetworkMessage
	var sent, created, answered int64
	err := s.Scan(&m.ID, &m.Reference, &m.MTI, &m.ProcessingCode, &m.STAN, &sent, &m.AcquirerID,
		&m.TerminalID, &m.MerchantID, &m.RRN, &m.Amount, &m.Currency, &m.LastDigits, &m.OriginalID, &m.Status,
		&m.ResponseCode, &m.ApprovalCode, &created, &answered)
	if err != nil {
		return nil, err
	}
	m.TransmittedAt, m.CreatedAt, m.AnsweredAt = FromMicros(sent), FromMicros(created), FromMicros(answered)
	return &m, nil
}

// networkAffectedOne reports whether a statement changed exactly one row.
func networkAffectedOne(res sql.Result) (bool, error) {
	n, err := res.RowsAffected()
	return n == 1, err
}
