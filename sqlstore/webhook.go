package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kessai/kessai"
)

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
	// DeliveryResend marks a redelivery request for `kessai listen`; no
	// worker sends it.
	DeliveryResend = "resend"
)

// Delivery is a webhook delivery: one event to one endpoint, in one round.
type Delivery struct {
	ID        string
	EventID   string
	EventSeq  int64
	AccountID string
	Livemode  bool
	URI       string
	Round     int
	Attempts  int
	CreatedAt time.Time
	// Claimed, set before [DB.FanOut], asks it to store the delivery
	// claimed by the fanning worker; FanOut leaves it true only when that
	// worker holds the claim (another node may have stored it first).
	Claimed bool
	// Due, when set before [DB.FanOut], is when an unclaimed delivery
	// becomes due (the node that committed the event may claim it sooner).
	Due time.Time
	// Stored is set by [DB.FanOut] when this call stored the delivery
	// (no other node had).
	Stored bool
}

// Attempt is one try of a delivery.
type Attempt struct {
	Status   int
	Error    string
	Latency  time.Duration
	Response string
}

const deliveryCols = `id, event_id, event_seq, account_id, livemode, uri, round, attempts, created_at`

func scanDelivery(r rowScanner) (*Delivery, error) {
	d := &Delivery{}
	var created int64
	err := r.Scan(&d.ID, &d.EventID, &d.EventSeq, &d.AccountID, &d.Livemode, &d.URI, &d.Round, &d.Attempts, &created)
	d.CreatedAt = FromMicros(created)
	return d, err
}

// WebhookCursor returns the seq up to which every event's deliveries exist.
func (db *DB) WebhookCursor(ctx context.Context) (int64, error) {
	var seq int64
	err := db.QueryRowContext(ctx, `SELECT cursor_seq FROM webhook_cursor WHERE name = 'deliveries'`).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("webhook cursor: %w", err)
	}
	return seq, nil
}

// WebhookProgress returns the delivery cursor and the newest event's seq
// (0 when there is none), in one query: the worker's idle poll.
func (db *DB) WebhookProgress(ctx context.Context) (cursor, last int64, err error) {
	var c, l sql.NullInt64
	err = db.QueryRowContext(ctx, `SELECT (SELECT cursor_seq FROM webhook_cursor WHERE name = 'deliveries'), (SELECT MAX(seq) FROM events)`).Scan(&c, &l)
	if err != nil {
		return 0, 0, fmt.Errorf("webhook progress: %w", err)
	}
	return c.Int64, l.Int64, nil
}

// WebhookEndpoints returns where an event goes: the charge's own endpoints
// when its object (or a refund's charge) has some, else the account's URL
// for the mode (cached for [WebhookCacheTTL]), else nothing.
func (db *DB) WebhookEndpoints(ctx context.Context, e *kessai.Event) ([]string, error) {
	t, err := db.WebhookTargets(ctx, []*kessai.Event{e})
	if err != nil {
		return nil, err
	}
	return t[0], nil
}

// FanOut stores the deliveries of round 0 (several nodes may fan out the
// same events: one that exists already is kept, with its id), those marked
// Claimed claimed by claim for lease, and moves the cursor to upTo unless
// it is there already. A delivery marked Claimed that exists already is
// claimed too if no worker holds it and it has had no attempt (another
// node stored it unclaimed). A delivery with a Due time is not claimed by
// [DB.ClaimDeliveries] before it.
func (db *DB) FanOut(ctx context.Context, ds []*Delivery, upTo int64, claim string, lease time.Duration) error {
	want := make([]bool, len(ds))
	for i, d := range ds {
		want[i] = d.Claimed
	}
	err := db.Write(ctx, func(tx *Tx) error {
		now := Micros(tx.Now)
		for i, d := range ds {
			if d.ID == "" {
				d.ID = kessai.NewID(kessai.PrefixDelivery, d.Livemode)
			}
			d.CreatedAt = tx.Now
			owner, until := "", int64(0)
			if want[i] {
				owner, until = claim, now+lease.Microseconds()
			}
			due := now
			if !d.Due.IsZero() {
				due = Micros(d.Due)
			}
			var id, holder string
			err := tx.QueryRow(`INSERT INTO webhook_deliveries (id, event_id, event_seq, account_id, livemode, uri, state, round, next_at, claim, claimed_until, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $12, $10, $11, $9, $9)
				ON CONFLICT (event_id, uri, round) DO UPDATE SET claim = excluded.claim, claimed_until = excluded.claimed_until, updated_at = excluded.updated_at
				WHERE excluded.claim <> '' AND webhook_deliveries.claimed_until < excluded.updated_at AND webhook_deliveries.attempts = 0 AND webhook_deliveries.state = excluded.state
				RETURNING id, claim`,
				d.ID, d.EventID, d.EventSeq, d.AccountID, d.Livemode, d.URI, DeliveryPending, d.Round, now, owner, until, due).Scan(&id, &holder)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				// Stored already, held by another worker or tried.
				d.Claimed, d.Stored = false, false
				continue
			case err != nil:
				return fmt.Errorf("insert delivery: %w", err)
			}
			d.Stored = id == d.ID
			d.ID, d.Claimed = id, want[i] && holder == claim
		}
		if upTo <= 0 {
			return nil
		}
		res, err := tx.Exec(`UPDATE webhook_cursor SET cursor_seq = $1, updated_at = $2 WHERE name = 'deliveries' AND cursor_seq < $1`, upTo, now)
		if err != nil {
			return fmt.Errorf("move webhook cursor: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			_, err = tx.Exec(`INSERT INTO webhook_cursor (name, cursor_seq, updated_at) VALUES ('deliveries', $1, $2) ON CONFLICT (name) DO NOTHING`, upTo, now)
		}
		return err
	})
	if err != nil {
		// Nothing was stored: ds is as it came, for a retry.
		for i, d := range ds {
			d.Claimed, d.Stored = want[i], false
		}
	}
	return err
}

// ClaimDeliveries claims up to limit pending deliveries that are due, for
// lease, as claim (a random id of the claiming worker): each with its own
// conditional update, so that two nodes never both hold one. hostBusy, when
// not nil, is asked about each candidate in turn and skips it when true
// (its endpoint is busy).
func (db *DB) ClaimDeliveries(ctx context.Context, claim string, lease time.Duration, limit int, skip func(uri string) bool) ([]*Delivery, error) {
	now := Micros(db.Now())
	rows, err := db.QueryContext(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries WHERE state = $1 AND next_at <= $2 AND claimed_until < $2 ORDER BY next_at LIMIT $3`,
		DeliveryPending, now, limit)
	if err != nil {
		return nil, fmt.Errorf("due deliveries: %w", err)
	}
	var due []*Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("due deliveries: %w", err)
		}
		if skip == nil || !skip(d.URI) {
			due = append(due, d)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(due) == 0 {
		return nil, err
	}
	var got []*Delivery
	err = db.Write(ctx, func(tx *Tx) error {
		got = got[:0]
		now := Micros(tx.Now)
		for _, d := range due {
			res, err := tx.Exec(`UPDATE webhook_deliveries SET claim = $1, claimed_until = $2, updated_at = $3 WHERE id = $4 AND state = $5 AND claimed_until < $3`,
				claim, now+lease.Microseconds(), now, d.ID, DeliveryPending)
			if err != nil {
				return fmt.Errorf("claim delivery: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				got = append(got, d)
			}
		}
		return nil
	})
	return got, err
}

// ClaimDelivery claims the delivery with the id for lease, as claim, if it
// is pending and no worker holds it. Returns it and true when claimed, false
// otherwise (delivered, failed, held or unknown).
func (db *DB) ClaimDelivery(ctx context.Context, id, claim string, lease time.Duration) (*Delivery, bool, error) {
	var d *Delivery
	err := db.Write(ctx, func(tx *Tx) error {
		now := Micros(tx.Now)
		var err error
		d, err = scanDelivery(tx.QueryRow(`UPDATE webhook_deliveries SET claim = $1, claimed_until = $2, updated_at = $3
			WHERE id = $4 AND state = $5 AND claimed_until < $3 RETURNING `+deliveryCols,
			claim, now+lease.Microseconds(), now, id, DeliveryPending))
		if errors.Is(err, sql.ErrNoRows) {
			d = nil
			return nil
		}
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("claim delivery: %w", err)
	}
	return d, d != nil, nil
}

// FinishAttempt records an attempt of a claimed delivery and moves it on:
// to state (delivered or failed), or, for pending, to another try at next.
// Does nothing to the delivery if claim no longer holds it (its lease ran
// out and another worker took it), but still records the attempt.
func (db *DB) FinishAttempt(ctx context.Context, d *Delivery, claim string, a Attempt, state string, next time.Time) error {
	return db.Write(ctx, func(tx *Tx) error {
		now := Micros(tx.Now)
		_, err := tx.Exec(`INSERT INTO webhook_attempts (id, delivery_id, event_id, uri, status, error, latency_us, response, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			kessai.NewID(kessai.PrefixDelivery, d.Livemode), d.ID, d.EventID, d.URI, a.Status, a.Error, a.Latency.Microseconds(), a.Response, now)
		if err != nil {
			return fmt.Errorf("record attempt: %w", err)
		}
		_, err = tx.Exec(`UPDATE webhook_deliveries SET state = $1, attempts = attempts + 1, next_at = $2, claimed_until = 0, claim = '', updated_at = $3 WHERE id = $4 AND claim = $5`,
			state, Micros(next), now, d.ID, claim)
		if err != nil {
			return fmt.Errorf("finish delivery: %w", err)
		}
		return nil
	})
}

// Redeliver adds a round of deliveries of the event to uris, due now, and a
// resend row for `kessai listen`.
func (db *DB) Redeliver(ctx context.Context, e *kessai.Event, uris []string) error {
	return db.Write(ctx, func(tx *Tx) error {
		var round int
		if err := tx.QueryRow(`SELECT COALESCE(MAX(round), 0) + 1 FROM webhook_deliveries WHERE event_id = $1`, e.ID).Scan(&round); err != nil {
			return fmt.Errorf("redeliver: %w", err)
		}
		now := Micros(tx.Now)
		add := func(uri, state string) error {
			_, err := tx.Exec(`INSERT INTO webhook_deliveries (id, event_id, event_seq, account_id, livemode, uri, state, round, next_at, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $9)`,
				kessai.NewID(kessai.PrefixDelivery, e.Livemode), e.ID, e.Seq, e.AccountID, e.Livemode, uri, state, round, now)
			if err != nil {
				return fmt.Errorf("redeliver: %w", err)
			}
			return nil
		}
		for _, u := range uris {
			if err := add(u, DeliveryPending); err != nil {
				return err
			}
		}
		return add("", DeliveryResend)
	})
}

// Resends returns the events of the account and mode redelivered on demand
// at or after since (oldest first, at most limit), with when each was asked
// and the id of the request (to tell repeats apart).
func (db *DB) Resends(ctx context.Context, accountID string, livemode bool, since time.Time, limit int) ([]*kessai.Event, []time.Time, []string, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, event_id, created_at FROM webhook_deliveries
		WHERE account_id = $1 AND livemode = $2 AND state = $3 AND created_at >= $4 ORDER BY created_at LIMIT $5`,
		accountID, livemode, DeliveryResend, Micros(since), limit)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("resends: %w", err)
	}
	var ids, evIDs []string
	var ats []time.Time
	for rows.Next() {
		var id, ev string
		var at int64
		if err := rows.Scan(&id, &ev, &at); err != nil {
			rows.Close()
			return nil, nil, nil, fmt.Errorf("resends: %w", err)
		}
		ids, evIDs, ats = append(ids, id), append(evIDs, ev), append(ats, FromMicros(at))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, nil, fmt.Errorf("resends: %w", err)
	}
	evs := make([]*kessai.Event, len(evIDs))
	for i, id := range evIDs {
		if evs[i], err = db.FindEvent(ctx, accountID, livemode, id); err != nil {
			return nil, nil, nil, err
		}
	}
	return evs, ats, ids, nil
}

// WebhookAttempts returns the attempts made for each of the events, oldest
// first, as WebhookDelivery objects.
func (db *DB) WebhookAttempts(ctx context.Context, events []*kessai.Event) error {
	if len(events) == 0 {
		return nil
	}
	byID := map[string]*kessai.Event{}
	args := make([]any, 0, len(events))
	marks := make([]string, 0, len(events))
	for _, e := range events {
		byID[e.ID] = e
		args = append(args, e.ID)
		marks = append(marks, fmt.Sprintf("$%d", len(args)))
	}
	rows, err := db.QueryContext(ctx, `SELECT id, event_id, uri, status, error, latency_us, response, created_at FROM webhook_attempts WHERE event_id IN (`+strings.Join(marks, ", ")+`) ORDER BY created_at, id`, args...)
	if err != nil {
		return fmt.Errorf("webhook attempts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var w kessai.WebhookDelivery
		var eventID string
		var lat, created int64
		if err := rows.Scan(&w.ID, &eventID, &w.URI, &w.Status, &w.Error, &lat, &w.Response, &created); err != nil {
			return fmt.Errorf("webhook attempts: %w", err)
		}
		e := byID[eventID]
		w.Object = "webhook_delivery"
		w.Key = e.Key
		w.LatencyMS = lat / 1000
		w.CreatedAt = kessai.Time{Time: FromMicros(created)}
		e.WebhookDeliveries = append(e.WebhookDeliveries, w)
	}
	return rows.Err()
}
