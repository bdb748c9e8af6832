package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/webhook"
)

// hookReceiver is a real HTTP endpoint that checks every delivery's
// signature with the dev webhook secret.
type hookReceiver struct {
	*httptest.Server
	got chan map[string]any
}

func newHookReceiver(t *testing.T, secret string) *hookReceiver {
	rc := &hookReceiver{got: make(chan map[string]any, 100)}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify(secret, r.Header.Get(webhook.HeaderSignature), r.Header.Get(webhook.HeaderTimestamp), body, 5*time.Minute, time.Now()); err != nil {
			t.Errorf("delivery signature: %v", err)
			http.Error(w, "bad signature", 400)
			return
		}
		var e map[string]any
		json.Unmarshal(body, &e)
		rc.got <- e
	}))
	t.Cleanup(rc.Close)
	return rc
}

// next returns the next delivered event of key, skipping others.
func (rc *hookReceiver) next(t *testing.T, key string) map[string]any {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e := <-rc.got:
			if e["key"] == key {
				return e
			}
		case <-timeout:
			t.Fatalf("no %s delivery", key)
			return nil
		}
	}
}

// whCharge creates a charge on a new token of a test card.
func whCharge(p *platform, amount int) map[string]any {
	p.t.Helper()
	tok := p.do("POST", "/tokens", p.creds.PublicKey, cardForm("4242424242424242", "12", "2031", "123"))
	if tok.Status != 200 {
		p.t.Fatalf("token: %d %s", tok.Status, tok.Body)
	}
	res := p.do("POST", "/charges", p.creds.SecretKey, url.Values{"amount": {fmt.Sprint(amount)}, "currency": {"jpy"}, "card": {tok.Object["id"].(string)}})
	if res.Status != 200 {
		p.t.Fatalf("charge: %d %s", res.Status, res.Body)
	}
	return res.Object
}

func TestWebhooksEndToEnd(t *testing.T) {
	dbtest.Run(t, testWebhooksEndToEnd)
}

func testWebhooksEndToEnd(t *testing.T, dsn string) {
	p := startPlatform(t, dsn)
	skey := p.creds.SecretKey

	// The dev secret in credentials.json is the account's test secret.
	sec := p.do("GET", "/account/webhook_secret", skey, nil)
	if sec.Status != 200 || sec.Object["secret"] != p.creds.WebhookSecret || p.creds.WebhookSecret == "" {
		t.Fatalf("webhook secret %d %s", sec.Status, sec.Body)
	}

	// Endpoint configuration.
	hooks := newHookReceiver(t, p.creds.WebhookSecret)
	if acct := p.do("GET", "/account", skey, nil); acct.Object["webhook_uri"] != nil {
		t.Errorf("webhook_uri before PATCH = %v", acct.Object["webhook_uri"])
	}
	if bad := p.do("PATCH", "/account", skey, url.Values{"webhook_uri": {"ftp://example.com"}}); bad.Status != 400 {
		t.Errorf("PATCH bad webhook_uri: %d %s", bad.Status, bad.Body)
	}
	if res := p.do("PATCH", "/account", skey, url.Values{"webhook_uri": {hooks.URL + "/hooks"}}); res.Status != 200 || res.Object["webhook_uri"] != hooks.URL+"/hooks" {
		t.Fatalf("PATCH /account: %d %s", res.Status, res.Body)
	}
	if acct := p.do("GET", "/account", skey, nil); acct.Object["webhook_uri"] != hooks.URL+"/hooks" {
		t.Errorf("GET /account webhook_uri = %v", acct.Object["webhook_uri"])
	}

	// Live mode has its own URL and secret, and takes public https URLs only.
	live, err := p.Accounts.CreateKey(context.Background(), p.creds.AccountID, kessai.SecretKey, true, "")
	if err != nil {
		t.Fatal(err)
	}
	lkey := live.Key.Reveal()
	for _, bad := range []string{hooks.URL, "https://10.1.2.3/hooks", "https://[::1]/hooks"} {
		if res := p.do("PATCH", "/account", lkey, url.Values{"webhook_uri": {bad}}); res.Status != 400 {
			t.Errorf("live PATCH %s: %d %s", bad, res.Status, res.Body)
		}
	}
	if res := p.do("PATCH", "/account", lkey, url.Values{"webhook_uri": {"https://shop.example/hooks"}}); res.Status != 200 || res.Object["webhook_uri"] != "https://shop.example/hooks" || res.Object["livemode"] != true {
		t.Errorf("live PATCH: %d %s", res.Status, res.Body)
	}
	if acct := p.do("GET", "/account", skey, nil); acct.Object["webhook_uri"] != hooks.URL+"/hooks" {
		t.Errorf("test webhook_uri after the live PATCH = %v", acct.Object["webhook_uri"])
	}
	if ls := p.do("GET", "/account/webhook_secret", lkey, nil); ls.Status != 200 || ls.Object["secret"] == p.creds.WebhookSecret || ls.Object["livemode"] != true {
		t.Errorf("live webhook secret: %d %s", ls.Status, ls.Body)
	}

	// A charge's event is delivered, signed, and its attempt shown.
	ch := whCharge(p, 1200)
	ev := hooks.next(t, "charge.create")
	if data, _ := ev["data"].(map[string]any); data["id"] != ch["id"] {
		t.Fatalf("delivered %v", ev)
	}
	evID := ev["id"].(string)
	var deliveries []any
	for range 200 {
		got := p.do("GET", "/events/"+evID, skey, nil)
		if deliveries, _ = got.Object["webhook_deliveries"].([]any); len(deliveries) > 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(deliveries) != 1 || deliveries[0].(map[string]any)["status"] != float64(200) {
		t.Fatalf("webhook_deliveries = %v", deliveries)
	}

	// The order feed: from the start, by key, and after a cursor.
	feed := p.do("GET", "/events?key=charge.create", skey, nil)
	if data, _ := feed.Object["data"].([]any); feed.Status != 200 || len(data) != 1 || data[0].(map[string]any)["id"] != evID {
		t.Fatalf("feed by key: %d %s", feed.Status, feed.Body)
	}
	if rest := p.do("GET", "/events?after="+evID, skey, nil); rest.Status != 200 || len(rest.Object["data"].([]any)) != 0 {
		t.Errorf("feed after the last event: %d %s", rest.Status, rest.Body)
	}
	if bad := p.do("GET", "/events?after=chrg_nope", skey, nil); bad.Status != 400 {
		t.Errorf("feed after a bad cursor: %d", bad.Status)
	}

	// kessai listen forwards new events and resent ones.
	local := newHookReceiver(t, p.creds.WebhookSecret)
	var out syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		l := &webhook.Listener{APIURL: p.BaseURL(), SecretKey: skey, ForwardTo: local.URL, Out: &out, Poll: 100 * time.Millisecond}
		if err := l.Run(ctx); err != nil {
			t.Errorf("listen: %v", err)
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait() })
	for !strings.Contains(out.String(), "Ready") {
		time.Sleep(10 * time.Millisecond)
	}
	ch2 := whCharge(p, 1300)
	fwd := local.next(t, "charge.create")
	if data, _ := fwd["data"].(map[string]any); data["id"] != ch2["id"] {
		t.Fatalf("forwarded %v", fwd)
	}
	hooks.next(t, "charge.create")

	// Resending the first event reaches the endpoint and the listener.
	if res := p.do("POST", "/events/"+evID+"/deliveries", skey, nil); res.Status != 200 || res.Object["id"] != evID {
		t.Fatalf("redeliver: %d %s", res.Status, res.Body)
	}
	if again := hooks.next(t, "charge.create"); again["id"] != evID {
		t.Errorf("redelivered %v", again["id"])
	}
	if again := local.next(t, "charge.create"); again["id"] != evID {
		t.Errorf("listener got %v, want the resent %s", again["id"], evID)
	}
	for !strings.Contains(out.String(), "(resent)") {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(out.String(), fwd["id"].(string)+"  → 200 OK") {
		t.Errorf("listen output:\n%s", out.String())
	}
	t.Logf("listen output:\n%s", out.String())
}
