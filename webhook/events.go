package webhook

import (
	"context"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/sqlstore"
)

// Events is the event service with webhooks: it shows each event's
// delivery attempts, serves the order feed and redelivers on demand. It
// wraps the payment service's [kessai.EventService].
type Events struct {
	kessai.EventService
	DB       *sqlstore.DB
	Accounts *sqlstore.AccountService
	// Worker, when set, is woken by redeliveries and wakes long polls.
	Worker *Worker
}

// FindEvent returns an event with its delivery attempts.
func (s *Events) FindEvent(ctx context.Context, auth *kessai.Auth, id string) (*kessai.Event, error) {
	e, err := s.EventService.FindEvent(ctx, auth, id)
	if err != nil {
		return nil, err
	}
	return e, s.DB.WebhookAttempts(ctx, []*kessai.Event{e})
}

// ListEvents returns a page of events with their delivery attempts.
func (s *Events) ListEvents(ctx context.Context, auth *kessai.Auth, p kessai.ListParams) (*kessai.List[*kessai.Event], error) {
	l, err := s.EventService.ListEvents(ctx, auth, p)
	if err != nil {
		return nil, err
	}
	return l, s.DB.WebhookAttempts(ctx, l.Data)
}

// ListObjectEvents returns a page of an object's events with their
// delivery attempts.
func (s *Events) ListObjectEvents(ctx context.Context, auth *kessai.Auth, objectID string, p kessai.ListParams) (*kessai.List[*kessai.Event], error) {
	l, err := s.EventService.ListObjectEvents(ctx, auth, objectID, p)
	if err != nil {
		return nil, err
	}
	return l, s.DB.WebhookAttempts(ctx, l.Data)
}

// FeedEvents returns up to limit events of the account and mode that come
// after the event after ("" for the start), in commit order, with key (when
// not "") as their key. Only events below the delivery cursor are returned:
// that part of the feed has no gaps and never changes, so a reader that
// resumes after the last event it processed misses none. When there is
// none yet it waits up to wait for one. Returns ENotFound for an unknown
// after.
func (s *Events) FeedEvents(ctx context.Context, auth *kessai.Auth, after, key string, limit int, wait time.Duration) ([]*kessai.Event, error) {
	var seq int64
	if after != "" {
		e, err := s.DB.FindEvent(ctx, auth.AccountID, auth.Livemode, after)
		if err != nil {
			return nil, err
		}
		seq = e.Seq
	}
	deadline := time.Now().Add(wait)
	for {
		var moved <-chan struct{}
		if s.Worker != nil {
			moved = s.Worker.CursorMoved()
		}
		out, err := s.feed(ctx, auth, seq, key, limit)
		if err != nil || len(out) > 0 || !time.Now().Before(deadline) {
			return out, err
		}
		t := time.NewTimer(min(time.Until(deadline), 250*time.Millisecond))
		select {
		case <-ctx.Done():
			t.Stop()
			return out, nil
		case <-moved:
		case <-t.C:
		}
		t.Stop()
	}
}

func (s *Events) feed(ctx context.Context, auth *kessai.Auth, seq int64, key string, limit int) ([]*kessai.Event, error) {
	cursor, err := s.DB.WebhookCursor(ctx)
	if err != nil {
		return nil, err
	}
	var out []*kessai.Event
	for len(out) < limit && seq < cursor {
		evs, err := s.DB.EventsAfter(ctx, auth.AccountID, auth.Livemode, seq, 200)
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			if e.Seq > cursor || len(out) == limit {
				seq = cursor
				break
			}
			seq = e.Seq
			if key == "" || e.Key == key {
				out = append(out, e)
			}
		}
		if len(evs) < 200 {
			break
		}
	}
	return out, s.DB.WebhookAttempts(ctx, out)
}

// Redeliver sends an event again to its endpoints now (and to a listening
// `kessai listen`). Returns ENotFound for an unknown event.
func (s *Events) Redeliver(ctx context.Context, auth *kessai.Auth, id string) (*kessai.Event, error) {
	e, err := s.DB.FindEvent(ctx, auth.AccountID, auth.Livemode, id)
	if err != nil {
		return nil, err
	}
	uris, err := s.DB.WebhookEndpoints(ctx, e)
	if err != nil {
		return nil, err
	}
	if err := s.DB.Redeliver(ctx, e, uris); err != nil {
		return nil, err
	}
	if s.Worker != nil {
		s.Worker.Notify()
	}
	return e, s.DB.WebhookAttempts(ctx, []*kessai.Event{e})
}

// Resends returns the events redelivered on demand at or after since, for
// `kessai listen`, with the time and id of each request.
func (s *Events) Resends(ctx context.Context, auth *kessai.Auth, since time.Time, limit int) ([]*kessai.Event, []time.Time, []string, error) {
	return s.DB.Resends(ctx, auth.AccountID, auth.Livemode, since, limit)
}
