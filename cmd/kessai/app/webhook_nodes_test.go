package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/cmd/kessai/app"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/natsfanout"
	"github.com/kessai/kessai/webhook"
)

// startNode starts a second gateway node beside first: the same database
// and key-encryption key, first's simulated card company, its own data dir.
func startNode(t *testing.T, first *platform, dsn string, opts ...func(*app.Config)) *platform {
	t.Helper()
	dir := t.TempDir()
	cfg := &app.Config{
		Dev:       true,
		DataDir:   dir,
		Database:  dsn,
		KEK:       "file:" + filepath.Join(first.dir, "kek.key"),
		HTTP:      "127.0.0.1:0",
		HTTPS:     "127.0.0.1:0",
		LogFormat: "json",
		Issuer:    app.IssuerConfig{Address: first.IssuerAddr()},
	}
	for _, o := range opts {
		o(cfg)
	}
	logs := &syncBuffer{}
	a, err := app.Start(context.Background(), cfg, app.NewLogger(logs, "json", -8))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return &platform{App: a, t: t, dir: dir, logs: logs, creds: a.Credentials()}
}

// feedIDs pages through GET /events?after=… on p, limit events a page, and
// returns the event ids in feed order.
func feedIDs(p *platform, limit int) []string {
	p.t.Helper()
	var ids []string
	after := ""
	for {
		res := p.do("GET", "/events?"+url.Values{"after": {after}, "limit": {strconv.Itoa(limit)}}.Encode(), p.creds.SecretKey, nil)
		if res.Status != 200 {
			p.t.Fatalf("feed: %d %s", res.Status, res.Body)
		}
		data, _ := res.Object["data"].([]any)
		for _, e := range data {
			ids = append(ids, e.(map[string]any)["id"].(string))
		}
		if len(data) < limit {
			return ids
		}
		after = ids[len(ids)-1]
	}
}

// TestWebhooksTwoNodes runs two gateway nodes on one PostgreSQL database:
// every event, whichever node committed it, is delivered at least once,
// and the order feed reads the same from both nodes.
func TestWebhooksTwoNodes(t *testing.T) {
	testWebhooksTwoNodes(t)
}

// TestWebhooksTwoNodesNATS is TestWebhooksTwoNodes with the deliveries
// shared over NATS JetStream (webhooks.nats_url).
func TestWebhooksTwoNodesNATS(t *testing.T) {
	url := "nats://127.0.0.1:4222"
	if c, err := net.DialTimeout("tcp", "127.0.0.1:4222", time.Second); err != nil {
		t.Skipf("no NATS server at %s: %v", url, err)
	} else {
		c.Close()
	}
	stream := "KESSAI_TEST_" + kessai.RandomString(8)
	t.Cleanup(func() {
		if b, err := natsfanout.Open(context.Background(), url, stream); err == nil {
			b.DeleteStream(context.Background())
			b.Close()
		}
	})
	testWebhooksTwoNodes(t, func(c *app.Config) { c.Webhooks.NATSURL, c.Webhooks.NATSStream = url, stream })
}

func testWebhooksTwoNodes(t *testing.T, opts ...func(*app.Config)) {
	dsn := dbtest.PostgresDSN(t) // skips without KESSAI_TEST_POSTGRES
	a := startPlatform(t, dsn, opts...)
	b := startNode(t, a, dsn, opts...)
	if b.creds.AccountID != a.creds.AccountID || b.creds.WebhookSecret != a.creds.WebhookSecret {
		t.Fatalf("node B serves account %s with another secret; want A's %s", b.creds.AccountID, a.creds.AccountID)
	}

	var mu sync.Mutex
	got := map[string]int{} // event id → deliveries
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify(a.creds.WebhookSecret, r.Header.Get(webhook.HeaderSignature), r.Header.Get(webhook.HeaderTimestamp), body, 5*time.Minute, time.Now()); err != nil {
			t.Errorf("delivery signature: %v", err)
			http.Error(w, "bad signature", 400)
			return
		}
		var e struct{ ID string }
		json.Unmarshal(body, &e)
		mu.Lock()
		got[e.ID]++
		mu.Unlock()
	}))
	t.Cleanup(rc.Close)
	if res := a.do("PATCH", "/account", a.creds.SecretKey, url.Values{"webhook_uri": {rc.URL}}); res.Status != 200 {
		t.Fatalf("PATCH /account: %d %s", res.Status, res.Body)
	}

	// Charges through both nodes at once.
	const perNode = 15
	var wg sync.WaitGroup
	for _, p := range []*platform{a, b} {
		wg.Go(func() {
			for i := range perNode {
				whCharge(p, 1000+i)
			}
		})
	}
	wg.Wait()

	// The feed shows an event once its deliveries exist, a moment after
	// its commit.
	feedA := feedIDs(a, 7)
	for deadline := time.Now().Add(10 * time.Second); len(feedA) < 2*perNode && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		feedA = feedIDs(a, 7)
	}
	feedB := feedIDs(b, 7)
	if len(feedA) < 2*perNode {
		t.Fatalf("feed from A has %d events, want at least %d", len(feedA), 2*perNode)
	}
	if !slices.Equal(feedA, feedB) {
		t.Fatalf("feeds differ:\nA %v\nB %v", feedA, feedB)
	}
	seen := map[string]bool{}
	for _, id := range feedA {
		if seen[id] {
			t.Fatalf("event %s twice in the feed", id)
		}
		seen[id] = true
	}

	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		var missing []string
		for _, id := range feedA {
			if got[id] == 0 {
				missing = append(missing, id)
			}
		}
		dups := 0
		for _, n := range got {
			dups += n - 1
		}
		extra := len(got) - (len(feedA) - len(missing))
		mu.Unlock()
		if len(missing) == 0 {
			t.Logf("%d events delivered, %d duplicate deliveries, %d not in the feed", len(feedA), dups, extra)
			if extra != 0 {
				t.Errorf("%d delivered events are not in the feed", extra)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d events never delivered: %v", len(missing), len(feedA), missing)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
