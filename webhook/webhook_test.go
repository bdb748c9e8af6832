package webhook_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
	"github.com/kessai/kessai/webhook"
)

func TestSignVerify(t *testing.T) {
	now := time.Unix(1700000000, 0)
	oldSecret, newSecret := sqlstore.NewWebhookSecret(), sqlstore.NewWebhookSecret()
	body := []byte(`{"object":"event","id":"evnt_test_1"}`)
	sig := webhook.Sign([]string{oldSecret}, now, body)
	ts := "1700000000"
	tests := []struct {
		name   string
		secret string
		sig    string
		ts     string
		body   string
		at     time.Time
		want   error
	}{
		{"Good", oldSecret, sig, ts, string(body), now, nil},
		{"TamperedBody", oldSecret, sig, ts, strings.Replace(string(body), "1", "2", 1), now, webhook.ErrBadSignature},
		{"OtherTimestamp", oldSecret, sig, "1700000001", string(body), now, webhook.ErrBadSignature},
		{"OldTimestamp", oldSecret, sig, ts, string(body), now.Add(10 * time.Minute), webhook.ErrOldTimestamp},
		{"WrongSecret", newSecret, sig, ts, string(body), now, webhook.ErrBadSignature},
		{"Missing", oldSecret, "", ts, string(body), now, webhook.ErrNoSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := webhook.Verify(tt.secret, tt.sig, tt.ts, []byte(tt.body), 5*time.Minute, tt.at); err != tt.want {
				t.Errorf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("RolledSecret", func(t *testing.T) {
		two := webhook.Sign([]string{newSecret, oldSecret}, now, body)
		if parts := strings.Split(two, ","); len(parts) != 2 || parts[1] != sig {
			t.Fatalf("signature during a roll = %q", two)
		}
		for _, s := range []string{oldSecret, newSecret} {
			if err := webhook.Verify(s, two, ts, body, 5*time.Minute, now); err != nil {
				t.Errorf("Verify with one of the two secrets: %v", err)
			}
		}
	})
}

// hit is one request a receiver got.
type hit struct {
	body      []byte
	signature string
	timestamp string
	path      string
	at        time.Time
}

// receiver is a real HTTP endpoint whose answers the test chooses.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	hits   []hit
	answer func(n int) (status int, delay time.Duration)
	got    chan hit
}

func newReceiver(t testing.TB, tlsOn bool, answer func(n int) (int, time.Duration)) *receiver {
	rc := &receiver{answer: answer, got: make(chan hit, 100)}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h := hit{body: b, signature: r.Header.Get(webhook.HeaderSignature), timestamp: r.Header.Get(webhook.HeaderTimestamp), path: r.URL.Path, at: time.Now()}
		rc.mu.Lock()
		answer := rc.answer
		n := len(rc.hits)
		rc.hits = append(rc.hits, h)
		rc.mu.Unlock()
		status, delay := 200, time.Duration(0)
		if answer != nil {
			status, delay = answer(n)
		}
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
			}
		}
		w.WriteHeader(status)
		io.WriteString(w, strings.Repeat("x", 3000))
		rc.got <- h
	})
	if tlsOn {
		rc.Server = httptest.NewTLSServer(h)
	} else {
		rc.Server = httptest.NewServer(h)
	}
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) wait(t *testing.T, within time.Duration) hit {
	t.Helper()
	select {
	case h := <-rc.got:
		return h
	case <-time.After(within):
		t.Fatalf("no delivery within %v", within)
		return hit{}
	}
}

func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.hits)
}

// env is a database with an account and a running worker.
type env struct {
	db     *sqlstore.DB
	accts  *sqlstore.AccountService
	acct   *kessai.Account
	worker *webhook.Worker
	events *webhook.Events
}

func fastConfig() webhook.Config {
	return webhook.Config{Poll: 5 * time.Millisecond, FirstRetry: 50 * time.Millisecond, MaxRetry: 200 * time.Millisecond, Timeout: 2 * time.Second}
}

func newEnv(t testing.TB, db *sqlstore.DB, cfg webhook.Config, trust ...*httptest.Server) *env {
	t.Helper()
	accts := &sqlstore.AccountService{DB: db}
	acct := &kessai.Account{Email: "shop@example.com", Country: "JP", Currency: "jpy"}
	if err := accts.CreateAccount(context.Background(), acct); err != nil {
		t.Fatal(err)
	}
	cfg.DB, cfg.Accounts = db, accts
	if len(trust) > 0 {
		pool := x509.NewCertPool()
		for _, s := range trust {
			pool.AddCert(s.Certificate())
		}
		cfg.TLS = &tls.Config{RootCAs: pool}
	}
	w := webhook.New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return &env{db: db, accts: accts, acct: acct, worker: w, events: &webhook.Events{DB: db, Accounts: accts, Worker: w}}
}

func (e *env) setURI(t testing.TB, live bool, uri string) {
	t.Helper()
	if err := e.accts.SetWebhookURI(context.Background(), e.acct.ID, live, uri); err != nil {
		t.Fatal(err)
	}
}

func (e *env) addEvent(t testing.TB, live bool, objectID string) *kessai.Event {
	t.Helper()
	ev, err := kessai.NewEvent(kessai.EventChargeCreate, e.acct.ID, live, objectID, map[string]any{"object": "charge", "id": objectID}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.Write(context.Background(), func(tx *sqlstore.Tx) error { return tx.InsertEvent(ev) }); err != nil {
		t.Fatal(err)
	}
	return ev
}

// attempts waits until the event has n recorded attempts and returns them.
func (e *env) attempts(t *testing.T, ev *kessai.Event, n int, within time.Duration) []kessai.WebhookDelivery {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got, err := e.db.FindEvent(context.Background(), ev.AccountID, ev.Livemode, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.db.WebhookAttempts(context.Background(), []*kessai.Event{got}); err != nil {
			t.Fatal(err)
		}
		if len(got.WebhookDeliveries) >= n {
			return got.WebhookDeliveries
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d attempts after %v, want %d: %+v", len(got.WebhookDeliveries), within, n, got.WebhookDeliveries)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestDeliverySigned(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		rc := newReceiver(t, false, nil)
		e := newEnv(t, db, fastConfig())
		e.setURI(t, false, rc.URL+"/hooks")
		ev := e.addEvent(t, false, "chrg_test_1")
		h := rc.wait(t, 5*time.Second)

		secrets, err := e.accts.WebhookSecrets(context.Background(), e.acct.ID, false, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := webhook.Verify(secrets[0], h.signature, h.timestamp, h.body, 5*time.Minute, time.Now()); err != nil {
			t.Errorf("signature: %v", err)
		}
		var got kessai.Event
		if err := json.Unmarshal(h.body, &got); err != nil || got.ID != ev.ID || got.Key != kessai.EventChargeCreate {
			t.Errorf("body %s: %v", h.body, err)
		}
		as := e.attempts(t, ev, 1, 5*time.Second)
		a := as[0]
		if a.Object != "webhook_delivery" || !kessai.HasPrefix(a.ID, kessai.PrefixDelivery) || a.Status != 200 || a.URI != rc.URL+"/hooks" || a.Key != ev.Key || len(a.Response) != 1024 {
			t.Errorf("attempt = %+v (response %d bytes)", a, len(a.Response))
		}

		// Rolling the secret: both sign for the grace period.
		if _, err := e.accts.RollWebhookSecret(context.Background(), e.acct.ID, false, 24*time.Hour); err != nil {
			t.Fatal(err)
		}
		e.addEvent(t, false, "chrg_test_2")
		h = rc.wait(t, 5*time.Second)
		rolled, _ := e.accts.WebhookSecrets(context.Background(), e.acct.ID, false, "")
		if len(rolled) != 2 || rolled[1] != secrets[0] || len(strings.Split(h.signature, ",")) != 2 {
			t.Fatalf("after a roll: %d secrets, signature %q", len(rolled), h.signature)
		}
		for _, s := range rolled {
			if err := webhook.Verify(s, h.signature, h.timestamp, h.body, 5*time.Minute, time.Now()); err != nil {
				t.Errorf("rolled signature: %v", err)
			}
		}
		// A second roll ends the oldest secret at once.
		if _, err := e.accts.RollWebhookSecret(context.Background(), e.acct.ID, false, 24*time.Hour); err != nil {
			t.Fatal(err)
		}
		again, _ := e.accts.WebhookSecrets(context.Background(), e.acct.ID, false, "")
		if len(again) != 2 || again[1] != rolled[0] {
			t.Errorf("after a second roll: %d secrets", len(again))
		}
	})
}

func TestRetryBackoff(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		// 500, a timeout, 500, then 200.
		rc := newReceiver(t, false, func(n int) (int, time.Duration) {
			switch n {
			case 0, 2:
				return 500, 0
			case 1:
				return 200, time.Second
			}
			return 204, 0
		})
		cfg := fastConfig()
		cfg.Timeout = 300 * time.Millisecond
		e := newEnv(t, db, cfg)
		e.setURI(t, false, rc.URL)
		ev := e.addEvent(t, false, "chrg_test_1")
		as := e.attempts(t, ev, 4, 10*time.Second)
		if as[0].Status != 500 || as[1].Status != 0 || as[1].Error != "timeout" || as[2].Status != 500 || as[3].Status != 204 {
			t.Fatalf("attempts = %+v", as)
		}
		// Backoff: each wait about doubles (50, 100, 200 ms ±20%).
		var gaps []time.Duration
		for i := 1; i < len(as); i++ {
			start := as[i-1].CreatedAt.Time // recorded after the attempt ended
			gaps = append(gaps, as[i].CreatedAt.Sub(start)-time.Duration(as[i].LatencyMS)*time.Millisecond)
		}
		if gaps[0] < 35*time.Millisecond || gaps[2] < 150*time.Millisecond {
			t.Errorf("retry gaps = %v", gaps)
		}
		time.Sleep(300 * time.Millisecond)
		if n := rc.count(); n != 4 {
			t.Errorf("receiver got %d requests after success, want 4", n)
		}
	})
}

func TestFinalFailure(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		rc := newReceiver(t, false, func(int) (int, time.Duration) { return 503, 0 })
		cfg := fastConfig()
		// Long enough for three attempts (0, ~50, ~150 ms) on a loaded machine.
		cfg.GiveUp = time.Second
		e := newEnv(t, db, cfg)
		e.setURI(t, false, rc.URL)
		ev := e.addEvent(t, false, "chrg_test_1")
		e.attempts(t, ev, 3, 5*time.Second)
		time.Sleep(cfg.GiveUp + 300*time.Millisecond)
		n := rc.count()
		time.Sleep(400 * time.Millisecond)
		if rc.count() != n {
			t.Errorf("still retrying after giving up: %d then %d requests", n, rc.count())
		}
		var state string
		if err := db.QueryRowContext(context.Background(), `SELECT state FROM webhook_deliveries WHERE event_id = $1`, ev.ID).Scan(&state); err != nil || state != sqlstore.DeliveryFailed {
			t.Errorf("state = %q, %v", state, err)
		}

		// Redelivery on demand tries again, and is listed for `kessai listen`.
		rc.mu.Lock()
		rc.answer = nil
		rc.mu.Unlock()
		since := time.Now()
		auth := &kessai.Auth{AccountID: e.acct.ID}
		if _, err := e.events.Redeliver(context.Background(), auth, ev.ID); err != nil {
			t.Fatal(err)
		}
		for rc.count() == n {
			rc.wait(t, 5*time.Second)
		}
		as := e.attempts(t, ev, n+1, 5*time.Second)
		if last := as[len(as)-1]; last.Status != 200 {
			t.Errorf("redelivery attempt = %+v", last)
		}
		evs, _, _, err := e.events.Resends(context.Background(), auth, since, 10)
		if err != nil || len(evs) != 1 || evs[0].ID != ev.ID {
			t.Errorf("resends = %v, %v", evs, err)
		}
	})
}

func TestLiveBlocksPrivateAddresses(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		rc := newReceiver(t, true, nil)
		e := newEnv(t, db, fastConfig(), rc.Server)
		// "localhost" passes the save-time check (it is a name); the dialer
		// refuses the loopback address it resolves to.
		port := rc.URL[strings.LastIndex(rc.URL, ":"):]
		e.setURI(t, true, "https://localhost"+port)
		ev := e.addEvent(t, true, "chrg_1")
		as := e.attempts(t, ev, 1, 5*time.Second)
		if as[0].Status != 0 || !strings.HasPrefix(as[0].Error, "blocked") {
			t.Errorf("live attempt to loopback = %+v", as[0])
		}
		// Test mode may deliver to loopback.
		e.setURI(t, false, rc.URL)
		e.addEvent(t, false, "chrg_test_1")
		rc.wait(t, 5*time.Second)
		if n := rc.count(); n != 1 {
			t.Errorf("receiver got %d requests, want 1 (test mode only)", n)
		}
	})
	for _, tt := range []struct {
		uri  string
		live bool
		ok   bool
	}{
		{"https://example.com/hooks", true, true},
		{"http://example.com/hooks", true, false},
		{"https://10.0.0.1/hooks", true, false},
		{"https://[::1]/hooks", true, false},
		{"https://169.254.169.254/latest", true, false},
		{"http://127.0.0.1:3000/hooks", false, true},
		{"ftp://example.com", false, false},
		{"/relative", false, false},
	} {
		if err := webhook.CheckURL(tt.uri, tt.live); (err == nil) != tt.ok {
			t.Errorf("CheckURL(%q, live=%v) = %v", tt.uri, tt.live, err)
		}
	}
}

func TestChargeEndpoints(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		account := newReceiver(t, false, nil)
		one, two := newReceiver(t, true, nil), newReceiver(t, true, nil)
		e := newEnv(t, db, fastConfig(), one.Server, two.Server)
		e.setURI(t, false, account.URL)
		c := &kessai.Charge{AccountID: e.acct.ID, Amount: 1000, Currency: "jpy", Status: kessai.ChargePending,
			CreatedAt: kessai.Time{Time: time.Now()}, ExpiresAt: kessai.NewTime(time.Now().Add(time.Hour)),
			WebhookEndpoints: []string{one.URL + "/a", two.URL + "/b"}}
		if err := db.Write(context.Background(), func(tx *sqlstore.Tx) error { return tx.InsertCharge(c) }); err != nil {
			t.Fatal(err)
		}
		ev := e.addEvent(t, false, c.ID)
		one.wait(t, 5*time.Second)
		two.wait(t, 5*time.Second)
		e.attempts(t, ev, 2, 5*time.Second)
		// Another object's event goes to the account's URL.
		e.addEvent(t, false, "cust_test_1")
		account.wait(t, 5*time.Second)
		if account.count() != 1 || one.count() != 1 || two.count() != 1 {
			t.Errorf("requests: account %d, charge endpoints %d and %d", account.count(), one.count(), two.count())
		}
	})
}

func TestFeed(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db, fastConfig())
		auth := &kessai.Auth{AccountID: e.acct.ID}
		var ids []string
		for i := range 5 {
			ev := e.addEvent(t, false, "chrg_test_"+string(rune('a'+i)))
			ids = append(ids, ev.ID)
		}
		var got []string
		after := ""
		for len(got) < 5 {
			evs, err := e.events.FeedEvents(context.Background(), auth, after, "", 2, 2*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) == 0 {
				t.Fatalf("feed stalled after %v", got)
			}
			for _, ev := range evs {
				got = append(got, ev.ID)
				after = ev.ID
			}
		}
		if strings.Join(got, " ") != strings.Join(ids, " ") {
			t.Errorf("feed = %v, want %v", got, ids)
		}
		// A long poll returns as soon as the next event commits.
		go func() { time.Sleep(100 * time.Millisecond); e.addEvent(t, false, "chrg_test_z") }()
		start := time.Now()
		evs, err := e.events.FeedEvents(context.Background(), auth, after, kessai.EventChargeCreate, 10, 5*time.Second)
		if err != nil || len(evs) != 1 || time.Since(start) > 2*time.Second {
			t.Errorf("long poll: %d events after %v, %v", len(evs), time.Since(start), err)
		}
		// The key filter.
		evs, err = e.events.FeedEvents(context.Background(), auth, "", kessai.EventRefundCreate, 10, 0)
		if err != nil || len(evs) != 0 {
			t.Errorf("refund.create feed = %d events, %v", len(evs), err)
		}
	})
}

func TestTwoNodes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		db := dbtest.Open(t, dsn)
		rc := newReceiver(t, false, nil)
		e := newEnv(t, db, fastConfig())
		// A second worker on the same database, as another gateway node
		// (with its own connections: a process runs one worker).
		cfg := fastConfig()
		otherDB := dbtest.Open(t, dsn)
		cfg.DB, cfg.Accounts = otherDB, &sqlstore.AccountService{DB: otherDB}
		other := webhook.New(cfg)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { other.Run(ctx); close(done) }()
		t.Cleanup(func() { cancel(); <-done })

		e.setURI(t, false, rc.URL)
		const n = 100
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for range n / 4 {
					e.addEvent(t, false, "chrg_test_1")
				}
			})
		}
		wg.Wait()
		seen := map[string]int{}
		for len(seen) < n {
			var ev kessai.Event
			json.Unmarshal(rc.wait(t, 10*time.Second).body, &ev)
			seen[ev.ID]++
		}
		// Each attempt is recorded after its answer.
		var rows, attempts int
		for deadline := time.Now().Add(10 * time.Second); attempts < n && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM webhook_attempts`).Scan(&attempts)
		}
		time.Sleep(200 * time.Millisecond)
		db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM webhook_deliveries`).Scan(&rows)
		db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM webhook_attempts`).Scan(&attempts)
		if rows != n || attempts != n || rc.count() != n {
			t.Errorf("%d events: %d deliveries, %d attempts, %d requests; want one each", n, rows, attempts, rc.count())
		}
	})
}

// TestSeqGap: an event committed after one with a higher seq (two nodes on
// PostgreSQL) is neither skipped by the cursor nor missing from the feed.
func TestSeqGap(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		rc := newReceiver(t, false, nil)
		cfg := fastConfig()
		cfg.Settle = time.Second
		// The events below are inserted as by another node, which would
		// get Handoff to deliver them; here none does.
		cfg.Handoff = time.Millisecond
		e := newEnv(t, db, cfg)
		e.setURI(t, false, rc.URL)
		first := e.addEvent(t, false, "chrg_test_1")
		rc.wait(t, 5*time.Second)
		// The delivery may start before the cursor moves over the event.
		auth := &kessai.Auth{AccountID: e.acct.ID}
		if evs, err := e.events.FeedEvents(context.Background(), auth, "", "", 10, 5*time.Second); err != nil || len(evs) != 1 {
			t.Fatalf("feed = %v, %v", evs, err)
		}
		insertAt := func(seq int64, id string) {
			t.Helper()
			err := db.Write(context.Background(), func(tx *sqlstore.Tx) error {
				_, err := tx.Exec(`INSERT INTO events (seq, id, account_id, livemode, key, object_id, data, created_at) VALUES ($1, $2, $3, FALSE, 'charge.create', 'chrg_test_2', '{}', $4)`,
					seq, id, e.acct.ID, sqlstore.Micros(time.Now()))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		base, _ := db.WebhookCursor(context.Background())
		insertAt(base+2, "evnt_test_late2")
		rc.wait(t, 5*time.Second) // delivered at once, gap or not
		time.Sleep(200 * time.Millisecond)
		if evs, _ := e.events.FeedEvents(context.Background(), auth, first.ID, "", 10, 0); len(evs) != 0 {
			t.Fatalf("feed shows an event past a gap: %v", evs[0].ID)
		}
		insertAt(base+1, "evnt_test_late1")
		rc.wait(t, 5*time.Second)
		evs, err := e.events.FeedEvents(context.Background(), auth, first.ID, "", 10, 2*time.Second)
		if err != nil || len(evs) != 2 || evs[0].ID != "evnt_test_late1" || evs[1].ID != "evnt_test_late2" {
			t.Fatalf("feed after the gap filled: %v, %v", evs, err)
		}
		// A gap that never fills (a rollback) holds the cursor for Settle only.
		insertAt(base+4, "evnt_test_late4")
		rc.wait(t, 5*time.Second)
		evs, err = e.events.FeedEvents(context.Background(), auth, "evnt_test_late2", "", 10, 5*time.Second)
		if err != nil || len(evs) != 1 || evs[0].ID != "evnt_test_late4" {
			t.Fatalf("feed past a rolled-back seq: %v, %v", evs, err)
		}
	})
}
