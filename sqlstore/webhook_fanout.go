package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/kessai/kessai"
)

// eventCharge returns the charge an event is about (its object, or a
// refund's charge), "" for other events.
func eventCharge(e *kessai.Event) string {
	switch {
	case kessai.HasPrefix(e.ObjectID, kessai.PrefixCharge):
		return e.ObjectID
	case kessai.HasPrefix(e.ObjectID, kessai.PrefixRefund):
		var r struct {
			Charge string `json:"charge"`
		}
		json.Unmarshal(e.Data, &r)
		return r.Charge
	}
	return ""
}

// WebhookTargets returns where each of the events goes, as
// [DB.WebhookEndpoints] does for one, with one query for the charges'
// own endpoints and the account URLs from the process's cache.
func (db *DB) WebhookTargets(ctx context.Context, evs []*kessai.Event) ([][]string, error) {
	charges := map[string][]string{}
	var args []any
	var marks []string
	for _, e := range evs {
		if id := eventCharge(e); id != "" {
			if _, ok := charges[id]; !ok {
				charges[id] = nil
				args = append(args, id)
				marks = append(marks, fmt.Sprintf("$%d", len(args)))
			}
		}
	}
	if len(args) > 0 {
		rows, err := db.QueryContext(ctx, `SELECT id, webhook_endpoints FROM charges WHERE id IN (`+strings.Join(marks, ", ")+`) AND webhook_endpoints IS NOT NULL`, args...)
		if err != nil {
			return nil, fmt.Errorf("charge endpoints: %w", err)
		}
		for rows.Next() {
			var id string
			var hooks sql.NullString
			if err := rows.Scan(&id, &hooks); err != nil {
				rows.Close()
				return nil, fmt.Errorf("charge endpoints: %w", err)
			}
			var uris []string
			json.Unmarshal([]byte(hooks.String), &uris)
			charges[id] = uris
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("charge endpoints: %w", err)
		}
	}
	out := make([][]string, len(evs))
	for i, e := range evs {
		if uris := charges[eventCharge(e)]; len(uris) > 0 {
			out[i] = uris
			continue
		}
		uri, err := db.cachedWebhookURI(ctx, e.AccountID, e.Livemode)
		if err != nil {
			return nil, err
		}
		if uri != nil {
			out[i] = []string{*uri}
		}
	}
	return out, nil
}

// EventsBySeq returns the events among seqs that exist (committed), in seq
// order.
func (db *DB) EventsBySeq(ctx context.Context, seqs []int64) ([]*kessai.Event, error) {
	if len(seqs) == 0 {
		return nil, nil
	}
	args := make([]any, len(seqs))
	marks := make([]string, len(seqs))
	for i, s := range seqs {
		args[i] = s
		marks[i] = fmt.Sprintf("$%d", i+1)
	}
	rows, err := db.QueryContext(ctx, `SELECT `+eventCols+` FROM events WHERE seq IN (`+strings.Join(marks, ", ")+`) ORDER BY seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("events by seq: %w", err)
	}
	defer rows.Close()
	var out []*kessai.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("events by seq: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// SweepWebhooks deletes, up to limit rows of each at a time, the delivery
// attempts recorded before before and the deliveries that were delivered,
// failed or resent before it (pending ones stay, however old). Returns how
// many rows it deleted. Events below the delivery cursor are never fanned
// out again, so a deleted delivery is not recreated.
func (db *DB) SweepWebhooks(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int64
	err := db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`DELETE FROM webhook_attempts WHERE id IN (SELECT id FROM webhook_attempts WHERE created_at < $1 LIMIT $2)`, Micros(before), limit)
		if err != nil {
			return fmt.Errorf("sweep webhook attempts: %w", err)
		}
		a, _ := res.RowsAffected()
		res, err = tx.Exec(`DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries WHERE state IN ($1, $2, $3) AND next_at < $4 LIMIT $5)`,
			DeliveryDelivered, DeliveryFailed, DeliveryResend, Micros(before), limit)
		if err != nil {
			return fmt.Errorf("sweep webhook deliveries: %w", err)
		}
		d, _ := res.RowsAffected()
		n = a + d
		return nil
	})
	return int(n), err
}
