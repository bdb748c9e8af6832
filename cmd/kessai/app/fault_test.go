package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kessai/kessai/cmd/kessai/app"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/issuersim"
	"github.com/kessai/kessai/reconcile"
	"github.com/kessai/kessai/sqlstore"
)

// The fault tests drive the platform through its HTTP API against the
// simulated card company over TCP, make the company misbehave, and check
// that every charge ends failed or successful exactly once and that, once
// the link's reversals have drained, the gateway and the company's ledger
// agree (package reconcile).

// patience bounds every wait for something the platform does in the
// background; it is generous because the machine may be busy.
const patience = 60 * time.Second

// linkTimeout is how long the link waits for an answer in these tests, and
// slow how long the slow card company sits on a request: well past it.
const (
	linkTimeout = time.Second
	slow        = 3 * time.Second
)

// authMTIs are the requests that authorize a charge: an authorization
// (0100), or a sale (0200) for a charge captured at once.
var authMTIs = []string{"0100", "0200"}

// startFaultPlatform starts the platform in dev mode like startPlatform,
// plain HTTP only, with the link giving up on a request after linkTimeout.
func startFaultPlatform(t *testing.T, dsn string) *platform {
	t.Helper()
	dir := t.TempDir()
	cfg := &app.Config{
		Dev:       true,
		DataDir:   dir,
		Database:  dsn,
		KEK:       "file:" + dir + "/kek.key",
		HTTP:      "127.0.0.1:0",
		LogFormat: "json",
		Issuer: app.IssuerConfig{
			Run: true, Listen: "127.0.0.1:0", Database: "sqlite:" + dir + "/issuer.db",
			Timeout: app.Duration(linkTimeout),
		},
	}
	logs := &syncBuffer{}
	a, err := app.Start(context.Background(), cfg, app.NewLogger(logs, "json", -8))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a.Close()
		if t.Failed() {
			t.Logf("platform log:\n%s", tail(logs.String(), 60))
		}
	})
	return &platform{App: a, t: t, dir: dir, logs: logs, creds: a.Credentials()}
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// api is a client of a platform's HTTP API.
type api struct {
	t          testing.TB
	base       string
	pkey, skey string
}

func apiOf(p *platform) *api {
	return &api{t: p.t, base: p.BaseURL(), pkey: p.creds.PublicKey, skey: p.creds.SecretKey}
}

// send sends a form (nil for none) with the key as Basic auth user and
// the extra header pairs; it fails only when no answer came.
func (c *api) send(ctx context.Context, method, path, key string, form url.Values, header ...string) (response, http.Header, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return response{}, nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.SetBasicAuth(key, "")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return response{}, nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return response{}, nil, err
	}
	out := response{Status: res.StatusCode, Body: string(raw)}
	json.Unmarshal(raw, &out.Object)
	return out, res.Header, nil
}

// do is send that fails the test when no answer comes.
func (c *api) do(method, path, key string, form url.Values, header ...string) (response, http.Header) {
	c.t.Helper()
	res, h, err := c.send(context.Background(), method, path, key, form, header...)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	return res, h
}

// token returns a new token for a test card.
func (c *api) token(number string) string {
	c.t.Helper()
	res, _ := c.do("POST", "/tokens", c.pkey, cardForm(number, "12", "2031", "123"))
	if res.Status != 200 {
		c.t.Fatalf("token: %d %s", res.Status, res.Body)
	}
	return res.Object["id"].(string)
}

// charge creates a charge of amount yen on a new token of the card and
// returns the answer, which must be a charge.
func (c *api) charge(number string, amount int64, header ...string) map[string]any {
	c.t.Helper()
	res, _ := c.do("POST", "/charges", c.skey, url.Values{
		"amount": {fmt.Sprint(amount)}, "currency": {"jpy"}, "card": {c.token(number)},
	}, header...)
	if res.Status != 200 || res.Object["object"] != "charge" {
		c.t.Fatalf("charge: %d %s", res.Status, res.Body)
	}
	return res.Object
}

// settledOnce checks that a charge ended failed or successful (with the
// wanted status and failure code, unless ""), with exactly one event,
// charge.create, showing that status; it returns the charge.
func (c *api) settledOnce(id, wantStatus, wantFailure string) map[string]any {
	c.t.Helper()
	res, _ := c.do("GET", "/charges/"+id, c.skey, nil)
	if res.Status != 200 {
		c.t.Fatalf("GET charge: %d %s", res.Status, res.Body)
	}
	ch := res.Object
	status, _ := ch["status"].(string)
	failure, _ := ch["failure_code"].(string)
	switch {
	case status != "failed" && status != "successful":
		c.t.Errorf("charge %s is %s, want failed or successful", id, status)
	case wantStatus != "" && status != wantStatus:
		c.t.Errorf("charge %s is %s (%s), want %s", id, status, failure, wantStatus)
	case wantFailure != "" && failure != wantFailure:
		c.t.Errorf("charge %s failed with %q, want %q", id, failure, wantFailure)
	case status == "successful" && ch["paid"] != true:
		c.t.Errorf("successful charge %s is not paid", id)
	}
	res, _ = c.do("GET", "/charges/"+id+"/events", c.skey, nil)
	data, _ := res.Object["data"].([]any)
	if res.Status != 200 || len(data) != 1 {
		c.t.Fatalf("charge %s has %d events (%d %s), want one", id, len(data), res.Status, tail(res.Body, 5))
	}
	ev := data[0].(map[string]any)
	evStatus := ev["data"].(map[string]any)["status"]
	if ev["key"] != "charge.create" || evStatus != status {
		c.t.Errorf("charge %s: event %v with status %v, want charge.create with %s", id, ev["key"], evStatus, status)
	}
	return ch
}

// ledger returns the issuer's entries under a reference as "kind amount".
func ledger(t *testing.T, l reconcile.Ledger, ref string) []string {
	t.Helper()
	entries, err := l.Ledger(context.Background(), issuersim.LedgerQuery{Reference: ref})
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, e := range entries {
		out = append(out, fmt.Sprintf("%s %d", e.Kind, e.Amount))
	}
	return out
}

// holds returns how many times the issuer took money under a reference
// (holds of authorizations, postings of sales) and how much it still
// holds or has posted.
func holds(t *testing.T, l reconcile.Ledger, ref string) (n int, open int64) {
	t.Helper()
	entries, err := l.Ledger(context.Background(), issuersim.LedgerQuery{Reference: ref})
	if err != nil {
		t.Fatal(err)
	}
	held := map[string]bool{} // transactions that held first
	for _, e := range entries {
		switch e.Kind {
		case issuersim.LedgerHold:
			n++
			open += e.Amount
			held[e.Transaction] = true
		case issuersim.LedgerCapture:
			if !held[e.Transaction] {
				n++ // a sale
				open += e.Amount
			}
		case issuersim.LedgerRelease, issuersim.LedgerCaptureReversal:
			open -= e.Amount
		}
	}
	return n, open
}

// undone checks that the issuer took money under a reference once and
// gave it all back.
func undone(t *testing.T, l reconcile.Ledger, ref string) {
	t.Helper()
	if n, open := holds(t, l, ref); n != 1 || open != 0 {
		t.Errorf("issuer took money %d times for %s, still has %d: %v", n, ref, open, ledger(t, l, ref))
	}
}

// waitFor polls cond until it holds, failing the test after patience.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("%s: not reached within %s", what, patience)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// reconciled waits for the link's reversals to drain and its requests to
// settle, then checks that reconciliation finds no mismatch.
func reconciled(t *testing.T, db *sqlstore.DB, l reconcile.Ledger) *reconcile.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if err := reconcile.Wait(ctx, db, 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	r, err := reconcile.Run(ctx, db, l)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || r.PendingReversals != 0 || r.InFlight != 0 {
		var b strings.Builder
		r.WriteText(&b)
		t.Errorf("reconcile:\n%s", b.String())
	}
	return r
}

// reversalOf returns the reason and status of the reversal of a
// reference's request, "" when there is none.
func reversalOf(t *testing.T, db *sqlstore.DB, ref string) (reason, status string) {
	t.Helper()
	revs, err := db.ListReversals(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range revs {
		if r.Message.Reference == ref {
			return r.Reason, r.Status
		}
	}
	return "", ""
}

// online waits for the link to be signed on.
func online(t *testing.T, p *platform) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if err := p.Link.WaitOnline(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestFaultLatency(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		p := startFaultPlatform(t, dsn)
		c := apiOf(p)

		t.Run("authorizations only", func(t *testing.T) {
			c.t = t
			// The reversal overtakes its slow original: the card company
			// remembers it and declines the original when it gets to it.
			p.Issuer.SetFaults(issuersim.Faults{Latency: slow, MTIs: authMTIs})
			defer p.Issuer.SetFaults(issuersim.Faults{})
			ch := c.charge("4242424242424242", 1200)
			id := ch["id"].(string)
			if ch["status"] != "failed" || ch["failure_code"] != "timeout" {
				t.Fatalf("charge: %v %v", ch["status"], ch["failure_code"])
			}
			if reason, _ := reversalOf(t, p.DB, id); reason != "timeout" {
				t.Errorf("reversal reason %q", reason)
			}
			reconciled(t, p.DB, p.Issuer)
			c.settledOnce(id, "failed", "timeout")
			if n, held := holds(t, p.Issuer, id); n > 1 || held != 0 {
				t.Errorf("issuer: %d holds, %d held", n, held)
			}
		})

		t.Run("every request", func(t *testing.T) {
			c.t = t
			// The reversals are slow too: the card company takes the money
			// first (a hold, or a sale's posting), and gives it back when
			// the reversal gets through.
			p.Issuer.SetFaults(issuersim.Faults{Latency: slow})
			defer p.Issuer.SetFaults(issuersim.Faults{})
			ch := c.charge("5555555555554444", 3400)
			id := ch["id"].(string)
			if ch["status"] != "failed" || ch["failure_code"] != "timeout" {
				t.Fatalf("charge: %v %v", ch["status"], ch["failure_code"])
			}
			waitFor(t, "the slow authorization processed", func() bool { n, _ := holds(t, p.Issuer, id); return n == 1 })
			p.Issuer.SetFaults(issuersim.Faults{})
			reconciled(t, p.DB, p.Issuer)
			undone(t, p.Issuer, id)
			c.settledOnce(id, "failed", "timeout")
		})

		t.Run("afterwards", func(t *testing.T) {
			c.t = t
			ch := c.charge("4242424242424242", 500)
			c.settledOnce(ch["id"].(string), "successful", "")
			reconciled(t, p.DB, p.Issuer)
		})
	})
}

func TestFaultDroppedAnswer(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		p := startFaultPlatform(t, dsn)
		c := apiOf(p)
		// The card company holds the amount but its answer is lost.
		p.Issuer.SetFaults(issuersim.Faults{DropShare: 1, MTIs: authMTIs})
		ch := c.charge("4242424242424242", 2500)
		p.Issuer.SetFaults(issuersim.Faults{})
		id := ch["id"].(string)
		if ch["status"] != "failed" || ch["failure_code"] != "timeout" {
			t.Fatalf("charge: %v %v", ch["status"], ch["failure_code"])
		}
		reconciled(t, p.DB, p.Issuer)
		undone(t, p.Issuer, id)
		if reason, status := reversalOf(t, p.DB, id); reason != "timeout" || status != "done" {
			t.Errorf("reversal: %s %s", reason, status)
		}
		c.settledOnce(id, "failed", "timeout")
	})
}

func TestFaultDisconnect(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		p := startFaultPlatform(t, dsn)
		c := apiOf(p)

		t.Run("instead of answering", func(t *testing.T) {
			c.t = t
			// The card company holds the amount, then drops the connection.
			p.Issuer.SetFaults(issuersim.Faults{DisconnectShare: 1, MTIs: authMTIs})
			ch := c.charge("3530111333300000", 900)
			p.Issuer.SetFaults(issuersim.Faults{})
			id := ch["id"].(string)
			if ch["status"] != "failed" || ch["failure_code"] != "timeout" {
				t.Fatalf("charge: %v %v", ch["status"], ch["failure_code"])
			}
			reconciled(t, p.DB, p.Issuer)
			undone(t, p.Issuer, id)
			if reason, _ := reversalOf(t, p.DB, id); reason != "connection_lost" {
				t.Errorf("reversal reason %q", reason)
			}
			c.settledOnce(id, "failed", "timeout")
		})

		t.Run("mid-flight", func(t *testing.T) {
			c.t = t
			online(t, p)
			// Every connection drops while an authorization waits at a
			// slow card company, which processes it afterwards.
			p.Issuer.SetFaults(issuersim.Faults{Latency: slow, MTIs: authMTIs})
			defer p.Issuer.SetFaults(issuersim.Faults{})
			tok := c.token("4242424242424242")
			done := make(chan map[string]any, 1)
			go func() {
				res, _, err := c.send(context.Background(), "POST", "/charges", c.skey, url.Values{
					"amount": {"700"}, "currency": {"jpy"}, "card": {tok},
				})
				if err != nil {
					t.Errorf("charge: %v", err)
				}
				done <- res.Object
			}()
			waitFor(t, "the authorization in flight", func() bool {
				pending, err := p.DB.StaleNetworkMessages(context.Background(), time.Now().Add(time.Hour), 10)
				return err == nil && len(pending) == 1
			})
			p.Issuer.DisconnectAll()
			ch := <-done
			id, _ := ch["id"].(string)
			if ch["status"] != "failed" || ch["failure_code"] != "timeout" {
				t.Fatalf("charge: %v", ch)
			}
			reconciled(t, p.DB, p.Issuer)
			if n, held := holds(t, p.Issuer, id); n > 1 || held != 0 {
				t.Errorf("issuer: %d holds, %d held", n, held)
			}
			c.settledOnce(id, "failed", "timeout")
		})

		t.Run("afterwards", func(t *testing.T) {
			c.t = t
			online(t, p)
			ch := c.charge("4242424242424242", 500)
			c.settledOnce(ch["id"].(string), "successful", "")
		})
	})
}

func TestFaultOutage(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		p := startFaultPlatform(t, dsn)
		c := apiOf(p)

		for _, code := range []string{"91", "96"} {
			t.Run("storm of "+code, func(t *testing.T) {
				c.t = t
				p.Issuer.SetFaults(issuersim.Faults{DeclineShare: 1, DeclineCode: code})
				defer p.Issuer.SetFaults(issuersim.Faults{})
				for i := range 3 {
					ch := c.charge("4242424242424242", int64(100+i))
					id := ch["id"].(string)
					c.settledOnce(id, "failed", "failed_processing")
					if got := ledger(t, p.Issuer, id); len(got) != 0 {
						t.Errorf("issuer ledger of %s: %v", id, got)
					}
				}
				reconciled(t, p.DB, p.Issuer)
			})
		}

		t.Run("reversals refused", func(t *testing.T) {
			c.t = t
			// An authorization is held; its void meets an outage: the link
			// must keep the reversal until the card company takes it.
			res, _ := c.do("POST", "/charges", c.skey, url.Values{
				"amount": {"4400"}, "currency": {"jpy"}, "card": {c.token("4242424242424242")}, "capture": {"false"},
			})
			id, _ := res.Object["id"].(string)
			if res.Status != 200 || res.Object["status"] != "pending" || res.Object["authorized"] != true {
				t.Fatalf("charge: %d %s", res.Status, res.Body)
			}
			p.Issuer.SetFaults(issuersim.Faults{DeclineShare: 1, DeclineCode: "96", MTIs: []string{"0400"}})
			res, _ = c.do("POST", "/charges/"+id+"/reverse", c.skey, nil)
			if res.Status != 200 || res.Object["status"] != "reversed" {
				t.Fatalf("reverse: %d %s", res.Status, res.Body)
			}
			if _, status := reversalOf(t, p.DB, id); status != "queued" {
				t.Errorf("reversal answered 96 is %q, want still queued", status)
			}
			p.Issuer.SetFaults(issuersim.Faults{})
			reconciled(t, p.DB, p.Issuer)
			undone(t, p.Issuer, id)
		})

		t.Run("half of everything", func(t *testing.T) {
			c.t = t
			p.Issuer.SetFaults(issuersim.Faults{DeclineShare: 0.5, DeclineCode: "91"})
			var ids []string
			for i := range 8 {
				ids = append(ids, c.charge("5555555555554444", int64(1000+i))["id"].(string))
			}
			p.Issuer.SetFaults(issuersim.Faults{})
			for _, id := range ids {
				ch := c.settledOnce(id, "", "")
				if ch["status"] == "failed" && ch["failure_code"] != "failed_processing" {
					t.Errorf("charge %s failed with %v", id, ch["failure_code"])
				}
			}
			reconciled(t, p.DB, p.Issuer)
		})
	})
}

func TestFaultIdempotentRetry(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		p := startFaultPlatform(t, dsn)
		c := apiOf(p)
		// A saved card: a charge that ran twice would authorize twice.
		res, _ := c.do("POST", "/customers", c.skey, url.Values{"email": {"taro@example.com"}, "card": {c.token("4242424242424242")}})
		if res.Status != 200 {
			t.Fatalf("customer: %d %s", res.Status, res.Body)
		}
		form := url.Values{"amount": {"1500"}, "currency": {"jpy"}, "customer": {res.Object["id"].(string)}}
		p.Issuer.SetFaults(issuersim.Faults{Latency: slow, MTIs: authMTIs})
		defer p.Issuer.SetFaults(issuersim.Faults{})

		// The client gives up while the authorization is in flight, and
		// retries with the same key until it gets an answer.
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Go(func() { c.send(ctx, "POST", "/charges", c.skey, form, "Idempotency-Key", "order-1") })
		waitFor(t, "the authorization in flight", func() bool {
			pending, err := p.DB.StaleNetworkMessages(context.Background(), time.Now().Add(time.Hour), 10)
			return err == nil && len(pending) == 1
		})
		cancel()
		wg.Wait()
		var first response
		waitFor(t, "an answer to the retry", func() bool {
			first, _ = c.do("POST", "/charges", c.skey, form, "Idempotency-Key", "order-1")
			return first.Status != 409
		})
		if first.Status != 200 || first.Object["status"] != "failed" || first.Object["failure_code"] != "timeout" {
			t.Fatalf("retry: %d %s", first.Status, first.Body)
		}
		id := first.Object["id"].(string)

		// Once more after the timeout: the same charge, replayed.
		again, h := c.do("POST", "/charges", c.skey, form, "Idempotency-Key", "order-1")
		if again.Object["id"] != id || h.Get("Idempotent-Replayed") != "true" {
			t.Errorf("second retry: %s (replayed %q), want %s", again.Body, h.Get("Idempotent-Replayed"), id)
		}
		list, _ := c.do("GET", "/charges", c.skey, nil)
		if list.Object["total"] != float64(1) {
			t.Errorf("charges: %s", tail(list.Body, 3))
		}
		reconciled(t, p.DB, p.Issuer)
		// At most the one authorization reached the card company, and
		// nothing stays taken.
		all, err := p.Issuer.Ledger(context.Background(), issuersim.LedgerQuery{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range all {
			if e.Reference != id {
				t.Errorf("issuer ledger: %s %d for %s", e.Kind, e.Amount, e.Reference)
			}
		}
		if n, open := holds(t, p.Issuer, id); n > 1 || open != 0 {
			t.Errorf("issuer took money %d times, still has %d", n, open)
		}
		c.settledOnce(id, "failed", "timeout")
	})
}
