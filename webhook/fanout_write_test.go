package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
	"github.com/kessai/kessai/webhook"
)

// TestFanOutWriteFails: the fan-out writes are taken off the loop that
// reads events, so a write that fails (every try) has rounds queued behind
// it that assumed it would succeed. They are dropped with it and their
// events read again: every event is still delivered and stored once, and
// the cursor reaches the last event.
func TestFanOutWriteFails(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		rc := newReceiver(t, false, nil)
		cfg := fastConfig()
		cfg.Handoff = 50 * time.Millisecond
		accts := &sqlstore.AccountService{DB: db}
		acct := &kessai.Account{Email: "shop@example.com", Country: "JP", Currency: "jpy"}
		if err := accts.CreateAccount(context.Background(), acct); err != nil {
			t.Fatal(err)
		}
		if err := accts.SetWebhookURI(context.Background(), acct.ID, false, rc.URL+"/hook"); err != nil {
			t.Fatal(err)
		}
		cfg.DB, cfg.Accounts = db, accts
		w := webhook.New(cfg)
		// The first write's 5 tries fail, slowly, so that rounds queue up
		// behind it; the write after it succeeds.
		var tries atomic.Int32
		webhook.FailFanOut(w, func() error {
			if tries.Add(1) <= 5 {
				// Slow, so that rounds queue up behind it.
				time.Sleep(20 * time.Millisecond)
				return errors.New("injected fan-out failure")
			}
			return nil
		})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { w.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()

		const n = 40
		want := map[string]bool{}
		for i := range n {
			ev, err := kessai.NewEvent(kessai.EventChargeCreate, acct.ID, false, fmt.Sprintf("chrg_test_%d", i), map[string]any{"object": "charge"}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Write(ctx, func(tx *sqlstore.Tx) error { return tx.InsertEvent(ev) }); err != nil {
				t.Fatal(err)
			}
			want[ev.ID] = true
			if i == 0 {
				// The rest while the first write is failing.
				for tries.Load() == 0 {
					time.Sleep(time.Millisecond)
				}
			}
		}
		got := map[string]bool{}
		deadline := time.After(20 * time.Second)
		for len(got) < n {
			select {
			case h := <-rc.got:
				var e kessai.Event
				if err := json.Unmarshal(h.body, &e); err != nil || !want[e.ID] {
					t.Fatalf("delivery of %q: %v", e.ID, err)
				}
				got[e.ID] = true
			case <-deadline:
				t.Fatalf("%d of %d events delivered after the fan-out write failed", len(got), n)
			}
		}
		// Stored once each, delivered, and the cursor over all of them.
		for end := time.Now().Add(10 * time.Second); ; {
			var rows, delivered int
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(CASE WHEN state = 'delivered' THEN 1 END) FROM webhook_deliveries`).Scan(&rows, &delivered); err != nil {
				t.Fatal(err)
			}
			cursor, last, err := db.WebhookProgress(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if rows == n && delivered == n && cursor == last {
				break
			}
			if time.Now().After(end) {
				t.Fatalf("%d deliveries stored (%d delivered) for %d events; cursor %d of %d", rows, delivered, n, cursor, last)
			}
			time.Sleep(10 * time.Millisecond)
		}
		if tries.Load() <= 5 {
			t.Fatalf("%d fan-out tries: the failure was not exercised", tries.Load())
		}
	})
}
