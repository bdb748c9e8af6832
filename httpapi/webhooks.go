package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/kessai/kessai"
)

// WebhookAccounts is what an AccountService offers when webhooks are on:
// the account's endpoint URL and signing secrets per mode.
type WebhookAccounts interface {
	WebhookURI(ctx context.Context, accountID string, livemode bool) (*string, error)
	SetWebhookURI(ctx context.Context, accountID string, livemode bool, uri string) error
	WebhookSecrets(ctx context.Context, accountID string, livemode bool, want string) ([]string, error)
	RollWebhookSecret(ctx context.Context, accountID string, livemode bool, grace time.Duration) (string, error)
}

// EventFeed is what an EventService offers when webhooks are on: the order
// feed, redelivery on demand, and the redeliveries for `kessai listen`.
type EventFeed interface {
	FeedEvents(ctx context.Context, auth *kessai.Auth, after, key string, limit int, wait time.Duration) ([]*kessai.Event, error)
	Redeliver(ctx context.Context, auth *kessai.Auth, id string) (*kessai.Event, error)
	Resends(ctx context.Context, auth *kessai.Auth, since time.Time, limit int) ([]*kessai.Event, []time.Time, []string, error)
}

// WebhookURLCheck validates a webhook URL for a mode; set by the wiring
// (webhook.CheckURL), nil accepts any absolute URL the service stores.
var WebhookURLCheck func(uri string, livemode bool) error

// webhookSecret is the signing-secret object of GET /account/webhook_secret.
type webhookSecret struct {
	Object   string   `json:"object"` // "webhook_secret"
	Livemode bool     `json:"livemode"`
	Secret   string   `json:"secret"`
	Signing  []string `json:"signing"`
}

func (s *Server) addWebhookAccount(svc WebhookAccounts) {
	secret := func(w http.ResponseWriter, r *http.Request, roll bool) error {
		auth := AuthOf(r)
		if roll {
			if _, err := svc.RollWebhookSecret(r.Context(), auth.AccountID, auth.Livemode, 24*time.Hour); err != nil {
				return err
			}
		}
		secs, err := svc.WebhookSecrets(r.Context(), auth.AccountID, auth.Livemode, "")
		if err != nil {
			return err
		}
		return WriteJSON(w, &webhookSecret{Object: "webhook_secret", Livemode: auth.Livemode, Secret: secs[0], Signing: secs})
	}
	s.Handle(http.MethodGet, "/account/webhook_secret", func(w http.ResponseWriter, r *http.Request) error {
		return secret(w, r, false)
	})
	s.Handle(http.MethodPost, "/account/webhook_secret/roll", func(w http.ResponseWriter, r *http.Request) error {
		return secret(w, r, true)
	})
}

// feedParams reads the order-feed parameters of GET /events: after, key,
// limit (1–100, default 20) and wait (seconds of long poll, 0–30).
func feedParams(r *http.Request) (after, key string, limit int, wait time.Duration, err error) {
	q := r.URL.Query()
	after, key, limit = q.Get("after"), q.Get("key"), 20
	if after != "" && !wellFormedID(after, kessai.PrefixEvent) {
		return "", "", 0, 0, kessai.Errorf(kessai.EBadRequest, "after must be an event id")
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return "", "", 0, 0, kessai.Errorf(kessai.EInvalidPage, "limit must be between 1 and 100")
		}
		limit = n
	}
	if v := q.Get("wait"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 30 {
			return "", "", 0, 0, kessai.Errorf(kessai.EBadRequest, "wait must be between 0 and 30 seconds")
		}
		wait = time.Duration(n) * time.Second
	}
	return after, key, limit, wait, nil
}

func (s *Server) addEventFeed(feed EventFeed) {
	s.Handle(http.MethodPost, "/events/{id}/deliveries", func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", kessai.PrefixEvent, "event")
		if err != nil {
			return err
		}
		e, err := feed.Redeliver(r.Context(), AuthOf(r), id)
		if err != nil {
			return err
		}
		return WriteJSON(w, e)
	})
	// GET /events/resends?since=UNIX_MICROS lists redelivery requests
	// (for `kessai listen`), oldest first.
	s.Handle(http.MethodGet, "/events/resends", func(w http.ResponseWriter, r *http.Request) error {
		since, err := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
		if err != nil || since < 0 {
			return kessai.Errorf(kessai.EBadRequest, "since must be unix microseconds")
		}
		evs, ats, ids, err := feed.Resends(r.Context(), AuthOf(r), time.UnixMicro(since), 100)
		if err != nil {
			return err
		}
		type resend struct {
			Object      string        `json:"object"` // "resend"
			ID          string        `json:"id"`
			RequestedAt int64         `json:"requested_at"` // unix microseconds
			Event       *kessai.Event `json:"event"`
		}
		out := struct {
			Object string   `json:"object"`
			Data   []resend `json:"data"`
		}{Object: "list", Data: []resend{}}
		for i, e := range evs {
			out.Data = append(out.Data, resend{Object: "resend", ID: ids[i], RequestedAt: ats[i].UnixMicro(), Event: e})
		}
		return WriteJSON(w, &out)
	})
}
