package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/kessai/kessai"
)

// commitObserver is called by the writer after each successful COMMIT.
type commitObserver = atomic.Pointer[func(d time.Duration, ops int)]

// ObserveCommits makes the group-commit writer call f after each durable
// COMMIT with its duration and the number of write transactions it
// carried; nil stops the calls. f runs on the writer goroutine: it must
// not block.
func (db *DB) ObserveCommits(f func(d time.Duration, ops int)) {
	if f == nil {
		db.onCommit.Store(nil)
		return
	}
	db.onCommit.Store(&f)
}

// observeCommit reports a commit that started at start.
func (db *DB) observeCommit(start time.Time, ops int) {
	if f := db.onCommit.Load(); f != nil {
		(*f)(time.Since(start), ops)
	}
}

// Backlog is the durable work waiting: queued reversals, pending webhook
// deliveries and requests to the issuer host still unanswered.
type Backlog struct {
	ReversalsQueued int64
	OldestReversal  time.Duration
	WebhooksPending int64
	OldestWebhook   time.Duration
	// NetworkPending counts the requests recorded as pending, by MTI.
	NetworkPending map[string]int64
}

// Backlog reads the [Backlog] as of now, for monitoring. Ages are zero when
// nothing waits. Fails when the database cannot be read.
func (db *DB) Backlog(ctx context.Context, now time.Time) (Backlog, error) {
	var b Backlog
	var oldest sql.NullInt64
	err := db.QueryRowContext(ctx, `SELECT COUNT(*), MIN(created_at) FROM network_reversals WHERE status = $1`,
		kessai.ReversalQueued).Scan(&b.ReversalsQueued, &oldest)
	if err != nil {
		return b, fmt.Errorf("sqlstore: reversal backlog: %w", err)
	}
	b.OldestReversal = age(now, oldest)
	oldest = sql.NullInt64{}
	err = db.QueryRowContext(ctx, `SELECT COUNT(*), MIN(created_at) FROM webhook_deliveries WHERE state = $1`,
		DeliveryPending).Scan(&b.WebhooksPending, &oldest)
	if err != nil {
		return b, fmt.Errorf("sqlstore: webhook backlog: %w", err)
	}
	b.OldestWebhook = age(now, oldest)
	rows, err := db.QueryContext(ctx, `SELECT mti, COUNT(*) FROM network_messages WHERE status = $1 GROUP BY mti`,
		kessai.NetworkPending)
	if err != nil {
		return b, fmt.Errorf("sqlstore: pending network requests: %w", err)
	}
	defer rows.Close()
	b.NetworkPending = map[string]int64{}
	for rows.Next() {
		var mti string
		var n int64
		if err := rows.Scan(&mti, &n); err != nil {
			return b, fmt.Errorf("sqlstore: pending network requests: %w", err)
		}
		b.NetworkPending[mti] = n
	}
	if err := rows.Err(); err != nil {
		return b, fmt.Errorf("sqlstore: pending network requests: %w", err)
	}
	return b, nil
}

// age returns now minus a created_at in microseconds, 0 when null or in
// the future.
func age(now time.Time, micros sql.NullInt64) time.Duration {
	if !micros.Valid {
		return 0
	}
	d := now.Sub(time.UnixMicro(micros.Int64))
	if d < 0 {
		return 0
	}
	return d
}
