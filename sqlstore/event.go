package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/kessai/kessai"
)

const eventCols = `seq, id, account_id, livemode, key, object_id, data, created_at`

func scanEvent(r rowScanner) (*kessai.Event, error) {
	e := &kessai.Event{Object: "event"}
	var data string
	var created int64
	if err := r.Scan(&e.Seq, &e.ID, &e.AccountID, &e.Livemode, &e.Key, &e.ObjectID, &data, &created); err != nil {
		return nil, err
	}
	e.Data = []byte(data)
	e.Location = "/events/" + e.ID
	e.CreatedAt = kessai.Time{Time: FromMicros(created)}
	e.WebhookDeliveries = []kessai.WebhookDelivery{}
	return e, nil
}

// InsertEvent stores an event in the transaction of the change it records
// (the outbox), filling in an empty ID and CreatedAt (tx.Now). Its Seq is
// assigned by the database and is not read back.
func (tx *Tx) InsertEvent(e *kessai.Event) error {
	if e.ID == "" {
		e.ID = kessai.NewID(kessai.PrefixEvent, e.Livemode)
		e.Location = "/events/" + e.ID
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = kessai.Time{Time: tx.Now}
	}
	data := string(e.Data)
	if data == "" || data == "null" {
		data = "{}"
	}
	_, err := tx.Exec(`INSERT INTO events (id, account_id, livemode, key, object_id, data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		e.ID, e.AccountID, e.Livemode, e.Key, e.ObjectID, data, Micros(e.CreatedAt.Time))
	if err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	tx.eventInserted(e.ID)
	return nil
}

// FindEvent returns an event of the account and mode. Returns ENotFound.
func (db *DB) FindEvent(ctx context.Context, accountID string, livemode bool, id string) (*kessai.Event, error) {
	e, err := scanEvent(db.QueryRowContext(ctx, `SELECT `+eventCols+` FROM events WHERE id = $1 AND account_id = $2 AND livemode = $3`, id, accountID, livemode))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kessai.NotFound("event", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find event: %w", err)
	}
	return e, nil
}

// ListEvents returns a page of the events of the account and mode.
func (db *DB) ListEvents(ctx context.Context, accountID string, livemode bool, p kessai.ListParams) (*kessai.List[*kessai.Event], error) {
	return db.listEvents(ctx, "/events", p, "account_id = $1 AND livemode = $2", accountID, livemode)
}

// ListObjectEvents returns a page of the events of one object (a charge, a
// customer, …) of the account and mode; location is the list's path, such
// as "/charges/chrg_…/events".
func (db *DB) ListObjectEvents(ctx context.Context, accountID string, livemode bool, objectID, location string, p kessai.ListParams) (*kessai.List[*kessai.Event], error) {
	return db.listEvents(ctx, location, p, "object_id = $1 AND account_id = $2 AND livemode = $3", objectID, accountID, livemode)
}

func (db *DB) listEvents(ctx context.Context, location string, p kessai.ListParams, where string, args ...any) (*kessai.List[*kessai.Event], error) {
	p = NormalizeList(p, db.Now())
	var data []*kessai.Event
	total, err := db.page(ctx, listQuery{table: "events", cols: eventCols, where: where, args: args}, p, func(r rowScanner) error {
		e, err := scanEvent(r)
		data = append(data, e)
		return err
	})
	if err != nil {
		return nil, err
	}
	return kessai.NewList(location, p, data, total), nil
}

// EventsAfter returns up to limit events with a Seq greater than after, in
// Seq order: a feed of every change, for webhook delivery and order systems.
// An accountID of "" reads every account's events; otherwise only those of
// the account and mode.
//
// Seq is assigned when an event is inserted, and commits can land out of
// Seq order when several gateway nodes write to one PostgreSQL database; a
// reader that must not skip events should stay a little behind the newest.
func (db *DB) EventsAfter(ctx context.Context, accountID string, livemode bool, after int64, limit int) ([]*kessai.Event, error) {
	var rows *sql.Rows
	var err error
	if accountID == "" {
		rows, err = db.QueryContext(ctx, `SELECT `+eventCols+` FROM events WHERE seq > $1 ORDER BY seq LIMIT $2`, after, limit)
	} else {
		rows, err = db.QueryContext(ctx, `SELECT `+eventCols+` FROM events WHERE seq > $1 AND account_id = $2 AND livemode = $3 ORDER BY seq LIMIT $4`,
			after, accountID, livemode, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("events after: %w", err)
	}
	defer rows.Close()
	var out []*kessai.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("events after: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
