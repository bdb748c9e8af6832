package httpapi_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/httpapi"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
)

// counter registers POST /count, which counts its runs and answers with
// the count, and POST /flaky, which fails with 500 or 400 on demand.
type counter struct {
	runs    atomic.Int64
	gate    chan struct{} // when set, runs wait for it
	started chan struct{}
}

func (c *counter) register(s *httpapi.Server) {
	s.Handle("POST", "/count", func(w http.ResponseWriter, r *http.Request) error {
		n := c.runs.Add(1)
		if c.started != nil {
			c.started <- struct{}{}
		}
		if c.gate != nil {
			<-c.gate
		}
		p := httpapi.ParamsOf(r)
		return httpapi.WriteJSON(w, map[string]any{"object": "count", "run": n, "amount": p.Int64("amount")})
	})
	s.Handle("POST", "/flaky", func(w http.ResponseWriter, r *http.Request) error {
		c.runs.Add(1)
		switch httpapi.ParamsOf(r).String("fail") {
		case "500":
			return context.DeadlineExceeded
		case "400":
			return kessai.Errorf(kessai.EInvalidAmount, "amount is too small")
		case "panic":
			panic("boom")
		}
		return httpapi.WriteJSON(w, map[string]any{"object": "ok", "run": c.runs.Load()})
	})
}

func idem(key string) map[string]string { return map[string]string{"Idempotency-Key": key} }

func TestIdempotency(t *testing.T) {
	e := newEnv(t)
	c := &counter{}
	c.register(e.srv)
	post := func(path, key, body, ct string, apiKey string) *resp {
		return e.do(t, req{method: "POST", path: path, key: apiKey, body: body, contentType: ct, header: idem(key)})
	}

	t.Run("Replay", func(t *testing.T) {
		r1 := post("/count", "k1", "amount=100&metadata[a]=1", ctForm, skeyA)
		r2 := post("/count", "k1", "metadata[a]=1&amount=100", ctForm, skeyA)
		r3 := post("/count/", "k1", `{"metadata":{"a":1},"amount":"100"}`, ctJSON, skeyA)
		if r1.status != 200 || string(r1.body) != string(r2.body) || string(r1.body) != string(r3.body) {
			t.Errorf("replays differ: %s / %s / %s", r1.body, r2.body, r3.body)
		}
		if r1.header.Get("Idempotent-Replayed") != "" || r2.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("Idempotent-Replayed headers: %q %q", r1.header.Get("Idempotent-Replayed"), r2.header.Get("Idempotent-Replayed"))
		}
		if r2.header.Get("Request-Id") == r1.header.Get("Request-Id") {
			t.Error("replay reuses the request id")
		}
		if n := c.runs.Load(); n != 1 {
			t.Errorf("handler ran %d times, want 1", n)
		}
	})
	t.Run("OtherParametersAreRejected", func(t *testing.T) {
		wantError(t, post("/count", "k1", "amount=200", ctForm, skeyA), 400, kessai.EBadRequest)
		wantError(t, post("/flaky", "k1", "amount=100&metadata[a]=1", ctForm, skeyA), 400, kessai.EBadRequest)
	})
	t.Run("KeysBelongToAnAccount", func(t *testing.T) {
		before := c.runs.Load()
		if r := post("/count", "k1", "amount=100&metadata[a]=1", ctForm, skeyB); r.status != 200 || r.header.Get("Idempotent-Replayed") != "" {
			t.Errorf("other account got %d %v", r.status, r.header)
		}
		if c.runs.Load() != before+1 {
			t.Error("other account's request did not run")
		}
	})
	t.Run("ClientErrorsAreKept", func(t *testing.T) {
		before := c.runs.Load()
		r1 := post("/flaky", "k400", "fail=400", ctForm, skeyA)
		r2 := post("/flaky", "k400", "fail=400", ctForm, skeyA)
		wantError(t, r1, 400, kessai.EInvalidAmount)
		wantError(t, r2, 400, kessai.EInvalidAmount)
		if r2.header.Get("Idempotent-Replayed") != "true" || c.runs.Load() != before+1 {
			t.Errorf("4xx not replayed: runs %d", c.runs.Load()-before)
		}
	})
	t.Run("ServerErrorsAreNotKept", func(t *testing.T) {
		before := c.runs.Load()
		wantError(t, post("/flaky", "k500", "fail=500", ctForm, skeyA), 500, kessai.EInternal)
		wantError(t, post("/flaky", "k500", "fail=500", ctForm, skeyA), 500, kessai.EInternal)
		if c.runs.Load() != before+2 {
			t.Errorf("5xx retried %d times, want 2 runs", c.runs.Load()-before)
		}
	})
	t.Run("PanicReleasesTheKey", func(t *testing.T) {
		before := c.runs.Load()
		wantError(t, post("/flaky", "kp", "fail=panic", ctForm, skeyA), 500, kessai.EInternal)
		wantError(t, post("/flaky", "kp", "fail=panic", ctForm, skeyA), 500, kessai.EInternal)
		if c.runs.Load() != before+2 {
			t.Errorf("after a panic the key stayed claimed")
		}
	})
	t.Run("ExpiresAfterTTL", func(t *testing.T) {
		before := c.runs.Load()
		post("/count", "kttl", "amount=1", ctForm, skeyA)
		e.clock.Add(25 * time.Hour)
		r := post("/count", "kttl", "amount=2", ctForm, skeyA)
		if r.status != 200 || c.runs.Load() != before+2 {
			t.Errorf("expired key not reusable: %d %s", r.status, r.body)
		}
	})
	t.Run("BadKey", func(t *testing.T) {
		wantError(t, post("/count", string(make([]byte, 300)), "amount=1", ctForm, skeyA), 400, kessai.EBadRequest)
		wantError(t, post("/count", "tab\there", "amount=1", ctForm, skeyA), 400, kessai.EBadRequest)
	})
	t.Run("NoHeaderNoStoreWork", func(t *testing.T) {
		before := e.idem.calls.Load()
		e.do(t, req{method: "POST", path: "/count", key: skeyA, body: "amount=1"})
		e.do(t, req{method: "GET", path: "/healthz", header: idem("x")})
		e.do(t, req{method: "GET", path: "/tokens/tokn_test_x", key: pkeyA, header: idem("x")})
		if n := e.idem.calls.Load() - before; n != 0 {
			t.Errorf("%d store calls without a POST Idempotency-Key", n)
		}
	})
	t.Run("StoreFailureIs500", func(t *testing.T) {
		e.idem.mu.Lock()
		e.idem.failing = true
		e.idem.mu.Unlock()
		defer func() { e.idem.mu.Lock(); e.idem.failing = false; e.idem.mu.Unlock() }()
		wantError(t, post("/count", "kfail", "amount=1", ctForm, skeyA), 500, kessai.EInternal)
	})
}

func TestIdempotencyConcurrentDuplicates(t *testing.T) {
	t.Run("DuplicateWaitsAndGetsTheFirstResponse", func(t *testing.T) {
		e := newEnv(t)
		c := &counter{gate: make(chan struct{}), started: make(chan struct{}, 16)}
		c.register(e.srv)
		const n = 8
		results := make([]*resp, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				results[i] = e.do(t, req{method: "POST", path: "/count", key: skeyA, body: "amount=5", header: idem("dup")})
			})
		}
		<-c.started // one request runs; the others wait for it
		time.Sleep(100 * time.Millisecond)
		close(c.gate)
		wg.Wait()
		if got := c.runs.Load(); got != 1 {
			t.Fatalf("handler ran %d times for %d concurrent duplicates, want 1", got, n)
		}
		for i, r := range results {
			if r.status != 200 || string(r.body) != string(results[0].body) {
				t.Errorf("request %d: %d %s", i, r.status, r.body)
			}
		}
	})
	t.Run("DuplicateGets409WhenTheFirstRunsTooLong", func(t *testing.T) {
		e := newEnv(t, func(c *httpapi.Config) { c.Limits.IdempotencyWait = 50 * time.Millisecond })
		c := &counter{gate: make(chan struct{}), started: make(chan struct{}, 1)}
		c.register(e.srv)
		done := make(chan *resp)
		go func() {
			done <- e.do(t, req{method: "POST", path: "/count", key: skeyA, body: "amount=5", header: idem("slow")})
		}()
		<-c.started
		r := e.do(t, req{method: "POST", path: "/count", key: skeyA, body: "amount=5", header: idem("slow")})
		wantError(t, r, 409, kessai.EConflict)
		close(c.gate)
		if r := <-done; r.status != 200 {
			t.Errorf("first request: %d", r.status)
		}
		if c.runs.Load() != 1 {
			t.Errorf("ran %d times", c.runs.Load())
		}
	})
}

// TestIdempotencyWithSQLStore runs the conventions against the real store
// on every dialect, with two servers (two nodes) sharing the database.
func TestIdempotencyWithSQLStore(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		store := sqlstore.NewIdempotencyStore(db)
		nodes := make([]*env, 2)
		c := &counter{}
		for i := range nodes {
			nodes[i] = newEnv(t, func(cfg *httpapi.Config) { cfg.Idempotency = store })
			c.register(nodes[i].srv)
		}
		var wg sync.WaitGroup
		results := make([]*resp, 10)
		for i := range results {
			wg.Go(func() {
				results[i] = nodes[i%2].do(t, req{method: "POST", path: "/count", key: skeyA, body: "amount=7", header: idem("sql")})
			})
		}
		wg.Wait()
		if c.runs.Load() != 1 {
			t.Errorf("ran %d times across two nodes, want 1", c.runs.Load())
		}
		for i, r := range results {
			if r.status != 200 || string(r.body) != `{"amount":7,"object":"count","run":1}` {
				t.Errorf("request %d: %d %s", i, r.status, r.body)
			}
		}
		wantError(t, nodes[0].do(t, req{method: "POST", path: "/count", key: skeyA, body: "amount=8", header: idem("sql")}), 400, kessai.EBadRequest)
		r := nodes[1].do(t, req{method: "POST", path: "/count", key: skeyA, body: "amount=7", header: idem("sql")})
		if r.status != 200 || r.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("replay: %d %v", r.status, r.header)
		}
	})
}

func TestSweepIdempotencyKeys(t *testing.T) {
	e := newEnv(t)
	c := &counter{}
	c.register(e.srv)
	e.do(t, req{method: "POST", path: "/count", key: skeyA, body: "amount=1", header: idem("sweep")})
	e.clock.Add(25 * time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.srv.SweepIdempotencyKeys(ctx, time.Hour); close(done) }()
	deadline := time.Now().Add(2 * time.Second)
	for {
		e.idem.mu.Lock()
		left := len(e.idem.recs)
		e.idem.mu.Unlock()
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("expired key not swept")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
}
