package webhook_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
	"github.com/kessai/kessai/webhook"
)

// TestWakeOnCommit: with a poll so slow that it never comes, the commit of
// an event wakes the worker; and a change of the webhook URL or a secret
// roll made through this process is used by the next delivery at once,
// although both are cached.
func TestWakeOnCommit(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		rc := newReceiver(t, false, nil)
		cfg := fastConfig()
		cfg.Poll = time.Hour
		cfg.FirstRetry = time.Hour
		e := newEnv(t, db, cfg)
		e.setURI(t, false, rc.URL+"/a")
		ctx := context.Background()

		ev := e.addEvent(t, false, "chrg_test_1")
		h := rc.wait(t, 10*time.Second)
		var got kessai.Event
		if err := json.Unmarshal(h.body, &got); err != nil || got.ID != ev.ID || h.path != "/a" {
			t.Fatalf("first delivery: %s to %s, %v", h.body, h.path, err)
		}

		// The URL and the secrets are cached now; a change goes through.
		e.setURI(t, false, rc.URL+"/b")
		if _, err := e.accts.RollWebhookSecret(ctx, e.acct.ID, false, 24*time.Hour); err != nil {
			t.Fatal(err)
		}
		ev = e.addEvent(t, false, "chrg_test_2")
		h = rc.wait(t, 10*time.Second)
		secrets, err := e.accts.WebhookSecrets(ctx, e.acct.ID, false, "")
		if err != nil || len(secrets) != 2 {
			t.Fatalf("secrets after a roll: %d, %v", len(secrets), err)
		}
		if json.Unmarshal(h.body, &got); got.ID != ev.ID || h.path != "/b" || len(strings.Split(h.signature, ",")) != 2 {
			t.Fatalf("delivery after the change: %s to %s signed %q", got.ID, h.path, h.signature)
		}
		if err := webhook.Verify(secrets[0], h.signature, h.timestamp, h.body, 5*time.Minute, time.Now()); err != nil {
			t.Errorf("signature with the new secret: %v", err)
		}

		// Removing the URL: the next event goes nowhere.
		e.setURI(t, false, "")
		prev := ev
		ev = e.addEvent(t, false, "chrg_test_3")
		// Fanned out (in the feed) before the next URL is set.
		auth := &kessai.Auth{AccountID: e.acct.ID}
		if evs, err := e.events.FeedEvents(ctx, auth, prev.ID, "", 10, 10*time.Second); err != nil || len(evs) != 1 || evs[0].ID != ev.ID {
			t.Fatalf("feed after %s: %v, %v", prev.ID, evs, err)
		}
		e.setURI(t, false, rc.URL+"/c")
		e.addEvent(t, false, "chrg_test_4")
		h = rc.wait(t, 10*time.Second)
		if json.Unmarshal(h.body, &got); got.ID == ev.ID || h.path != "/c" {
			t.Fatalf("an event with no URL was delivered: %s to %s", got.ID, h.path)
		}
	})
}

// TestHandoff: an event committed by another process (a node without a
// worker, or one that died) is delivered by this worker after the handoff,
// once.
func TestHandoff(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		db := dbtest.Open(t, dsn)
		rc := newReceiver(t, false, nil)
		cfg := fastConfig()
		cfg.Handoff = 300 * time.Millisecond
		e := newEnv(t, db, cfg)
		e.setURI(t, false, rc.URL)
		// The other node: its own connections, no worker.
		other := &env{db: dbtest.Open(t, dsn), acct: e.acct}
		ev := other.addEvent(t, false, "chrg_test_1")
		h := rc.wait(t, 10*time.Second)
		var got kessai.Event
		if err := json.Unmarshal(h.body, &got); err != nil || got.ID != ev.ID {
			t.Fatalf("delivery %s: %v", h.body, err)
		}
		e.attempts(t, ev, 1, 5*time.Second)
		time.Sleep(500 * time.Millisecond)
		if n := rc.count(); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
		// Left to the committing node for the handoff first.
		if d := h.at.Sub(ev.CreatedAt.Time); d < cfg.Handoff {
			t.Errorf("delivered %v after the event's creation, before the %v handoff", d, cfg.Handoff)
		}
	})
}
