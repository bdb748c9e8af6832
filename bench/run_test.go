package bench_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai/bench"
	"github.com/kessai/kessai/card"
)

const (
	pkey = "pkey_test_5benchtest000000000"
	skey = "skey_test_5benchtest000000000"
)

// tokenServer is a stand-in for POST /tokens. For the n-th request (from
// 1) it answers what respond says, or with a token when respond is nil. It
// counts requests and records any request that is not a valid token request.
type tokenServer struct {
	respond func(n int64, w http.ResponseWriter, r *http.Request) bool
	n       atomic.Int64
	mu      sync.Mutex
	invalid []string
}

func (s *tokenServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.n.Add(1)
	if err := checkTokenRequest(r); err != nil {
		s.mu.Lock()
		s.invalid = append(s.invalid, err.Error())
		s.mu.Unlock()
	}
	if s.respond != nil && s.respond(n, w, r) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"object":"token","id":"tokn_test_%019d","used":false}`, n)
}

// checkTokenRequest returns an error unless r is a POST /tokens with the
// public key and a valid card, as JSON or as a form.
func checkTokenRequest(r *http.Request) error {
	if r.Method != http.MethodPost || r.URL.Path != "/tokens" {
		return fmt.Errorf("%s %s", r.Method, r.URL.Path)
	}
	if want := "Basic " + base64.StdEncoding.EncodeToString([]byte(pkey+":")); r.Header.Get("Authorization") != want {
		return fmt.Errorf("authorization %q", r.Header.Get("Authorization"))
	}
	var raw card.RawInput
	switch r.Header.Get("Content-Type") {
	case "application/json":
		var body struct {
			Card struct {
				Name            string `json:"name"`
				Number          string `json:"number"`
				SecurityCode    string `json:"security_code"`
				ExpirationMonth int    `json:"expiration_month"`
				ExpirationYear  int    `json:"expiration_year"`
				City            string `json:"city"`
				PostalCode      string `json:"postal_code"`
			} `json:"card"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			return err
		}
		c := body.Card
		raw = card.RawInput{Name: c.Name, Number: c.Number, SecurityCode: c.SecurityCode,
			ExpirationMonth: strconv.Itoa(c.ExpirationMonth), ExpirationYear: strconv.Itoa(c.ExpirationYear),
			City: c.City, PostalCode: c.PostalCode}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return err
		}
		f := r.PostForm.Get
		raw = card.RawInput{Name: f("card[name]"), Number: f("card[number]"), SecurityCode: f("card[security_code]"),
			ExpirationMonth: f("card[expiration_month]"), ExpirationYear: f("card[expiration_year]"),
			City: f("card[city]"), PostalCode: f("card[postal_code]")}
	default:
		return fmt.Errorf("content type %q", r.Header.Get("Content-Type"))
	}
	if raw.SecurityCode == "" {
		return fmt.Errorf("no security code")
	}
	_, err := raw.Parse(time.Now())
	return err
}

func newTokenServer(t *testing.T, respond func(n int64, w http.ResponseWriter, r *http.Request) bool) (*tokenServer, string) {
	t.Helper()
	s := &tokenServer{respond: respond}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

func mustRun(t *testing.T, cfg bench.Config) *bench.Result {
	t.Helper()
	res, err := bench.Run(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

func TestRunClosedLoop(t *testing.T) {
	for _, form := range []bool{false, true} {
		sc := bench.Tokens(form)
		t.Run(sc.Name(), func(t *testing.T) {
			srv, url := newTokenServer(t, nil)
			var progress bytes.Buffer
			res := mustRun(t, bench.Config{
				BaseURL: url + "/", PublicKey: pkey, SecretKey: skey, Scenario: sc,
				Concurrency: 8, Requests: 500, Progress: &progress,
			})
			got := [4]int64{res.Requests, res.OK, res.Errors, srv.n.Load()}
			if want := [4]int64{500, 500, 0, 500}; got != want {
				t.Errorf("requests, ok, errors, served = %v, want %v (errors %v)", got, want, res.ErrorSamples)
			}
			if len(srv.invalid) > 0 {
				t.Errorf("%d invalid token requests, first: %s", len(srv.invalid), srv.invalid[0])
			}
			if res.Mode != "closed" || res.Concurrency != 8 || res.Scenario != sc.Name() || res.Target != url {
				t.Errorf("result describes %q %d %q %q", res.Mode, res.Concurrency, res.Scenario, res.Target)
			}
			l := res.Latency
			if !(0 < l.Min && l.Min <= l.P50 && l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.P999 && l.P999 <= l.Max) {
				t.Errorf("latency not ordered: %+v", l)
			}
			if res.Throughput <= 0 || res.OKThroughput != res.Throughput {
				t.Errorf("throughput %v, ok %v", res.Throughput, res.OKThroughput)
			}
		})
	}
}

func TestRunErrorAccounting(t *testing.T) {
	// What the server answers to the n-th request, and the kind the run
	// must count it under ("" for success).
	outcome := func(n int64) (func(w http.ResponseWriter, r *http.Request), string) {
		switch {
		case n%5 == 0:
			return func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "boom", http.StatusInternalServerError)
			}, "http 500"
		case n%7 == 0:
			return func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `{"object":"error","code":"invalid_card","message":"number is invalid"}`)
			}, "http 400 invalid_card"
		case n%11 == 0:
			return func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, `{"object":"charge","id":"chrg_test_1"}`)
			}, "bad response"
		case n%13 == 0:
			return func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, `not json`)
			}, "bad response"
		case n == 17 || n == 34:
			// Drops the connection without an answer.
			return func(w http.ResponseWriter, r *http.Request) {
				c, _, err := http.NewResponseController(w).Hijack()
				if err == nil {
					c.Close()
				}
			}, "connection closed"
		}
		return nil, ""
	}
	const total = 100
	want := map[string]int64{}
	var wantOK int64
	for n := int64(1); n <= total; n++ {
		if _, kind := outcome(n); kind != "" {
			want[kind]++
		} else {
			wantOK++
		}
	}

	_, url := newTokenServer(t, func(n int64, w http.ResponseWriter, r *http.Request) bool {
		h, _ := outcome(n)
		if h != nil {
			h(w, r)
		}
		return h != nil
	})
	res := mustRun(t, bench.Config{
		BaseURL: url, PublicKey: pkey, Scenario: bench.Tokens(false),
		Concurrency: 4, Requests: total,
	})
	if diff := cmp.Diff(want, res.ErrorsByKind); diff != "" {
		t.Errorf("errors by kind (-want +got):\n%s", diff)
	}
	if res.OK != wantOK || res.Errors != total-wantOK || res.Requests != total {
		t.Errorf("ok %d, errors %d, requests %d; want %d, %d, %d", res.OK, res.Errors, res.Requests, wantOK, total-wantOK, total)
	}
	for kind := range want {
		if res.ErrorSamples[kind] == "" {
			t.Errorf("no sample message for %q", kind)
		}
	}
	var summary bytes.Buffer
	if err := res.WriteSummary(&summary); err != nil {
		t.Fatal(err)
	}
	for kind, n := range want {
		if !strings.Contains(summary.String(), fmt.Sprintf("%d  %s\n", n, kind)) {
			t.Errorf("summary lacks %d %s:\n%s", n, kind, summary.String())
		}
	}
}

// TestRunTimeout runs against a server that never answers: every request
// ends by the client's timeout.
func TestRunTimeout(t *testing.T) {
	_, url := newTokenServer(t, func(_ int64, w http.ResponseWriter, r *http.Request) bool {
		<-r.Context().Done()
		return true
	})
	res := mustRun(t, bench.Config{
		BaseURL: url, PublicKey: pkey, Scenario: bench.Tokens(false),
		Concurrency: 3, Requests: 3, Timeout: 50 * time.Millisecond,
	})
	if diff := cmp.Diff(map[string]int64{"timeout": 3}, res.ErrorsByKind); diff != "" {
		t.Errorf("errors by kind (-want +got):\n%s", diff)
	}
}

func TestRunConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	res := mustRun(t, bench.Config{BaseURL: url, PublicKey: pkey, Scenario: bench.Tokens(false), Concurrency: 2, Requests: 20})
	if diff := cmp.Diff(map[string]int64{"connection refused": 20}, res.ErrorsByKind); diff != "" {
		t.Errorf("errors by kind (-want +got):\n%s", diff)
	}
	if res.OK != 0 || res.Latency != (bench.Latency{}) {
		t.Errorf("ok %d, latency %+v; want none", res.OK, res.Latency)
	}
}

// TestRunOpenLoop checks the schedule by counts only: at 200/s for half a
// second the run may start at most 100 requests (the schedule's offsets
// 0, 5ms, …, 495ms), and starts some.
func TestRunOpenLoop(t *testing.T) {
	srv, url := newTokenServer(t, nil)
	res := mustRun(t, bench.Config{
		BaseURL: url, PublicKey: pkey, Scenario: bench.Tokens(false),
		Rate: 200, Duration: 500 * time.Millisecond, Concurrency: 16,
	})
	if res.Mode != "open" || res.Rate != 200 {
		t.Errorf("mode %q rate %v", res.Mode, res.Rate)
	}
	if n := res.Requests + res.Missed; n > 100 || n < 10 {
		t.Errorf("scheduled %d requests (%d sent, %d missed), want 10 to 100", n, res.Requests, res.Missed)
	}
	if res.Errors != 0 || srv.n.Load() != res.Requests {
		t.Errorf("errors %d, served %d, requests %d", res.Errors, srv.n.Load(), res.Requests)
	}
}

func TestRunOpenLoopRequests(t *testing.T) {
	srv, url := newTokenServer(t, nil)
	res := mustRun(t, bench.Config{
		BaseURL: url, PublicKey: pkey, Scenario: bench.Tokens(true),
		Rate: 2000, Requests: 50, Concurrency: 50,
	})
	if n := res.Requests + res.Missed; n != 50 {
		t.Errorf("scheduled %d requests (%d sent, %d missed), want 50", n, res.Requests, res.Missed)
	}
	if srv.n.Load() != res.Requests || res.OK != res.Requests {
		t.Errorf("served %d, ok %d, requests %d", srv.n.Load(), res.OK, res.Requests)
	}
}

func TestRunCeiling(t *testing.T) {
	res := mustRun(t, bench.Config{Scenario: bench.Ceiling(), Concurrency: 4, Requests: 300})
	if res.OK != 300 || res.Errors != 0 {
		t.Errorf("ok %d, errors %d (%v)", res.OK, res.Errors, res.ErrorSamples)
	}
	if !strings.HasPrefix(res.Target, "http://127.0.0.1:") || res.Scenario != "ceiling" {
		t.Errorf("target %q, scenario %q", res.Target, res.Scenario)
	}
}

func TestRunInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	_, url := newTokenServer(t, func(n int64, w http.ResponseWriter, r *http.Request) bool {
		if n >= 20 {
			cancel()
			<-r.Context().Done()
			return true
		}
		return false
	})
	res, err := bench.Run(ctx, bench.Config{
		BaseURL: url, PublicKey: pkey, Scenario: bench.Tokens(false),
		Concurrency: 4, Duration: time.Minute,
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	// Requests abandoned when the context ends are in no count: there are
	// no errors, and only some of the first 19 requests succeeded.
	if !res.Interrupted || res.Errors != 0 || res.OK > 19 {
		t.Errorf("interrupted %v, errors %d (%v), ok %d", res.Interrupted, res.Errors, res.ErrorsByKind, res.OK)
	}
}

func TestRunLoopbackOnly(t *testing.T) {
	_, url := newTokenServer(t, nil)
	port := url[strings.LastIndex(url, ":")+1:]
	for _, u := range []string{
		"http://10.0.0.1:" + port, "http://192.0.2.1", "http://example.com", "https://api.omise.co",
		"http://0.0.0.0:" + port, "http://[::ffff:192.0.2.1]:80", "http://[fe80::1]:80",
		"ftp://127.0.0.1", "127.0.0.1:" + port, "http://user:pass@127.0.0.1:" + port,
	} {
		if _, err := bench.Run(t.Context(), bench.Config{BaseURL: u, PublicKey: pkey, Scenario: bench.Tokens(false), Requests: 1}); err == nil {
			t.Errorf("Run against %s succeeded", u)
		}
	}
	for _, u := range []string{url, "http://localhost:" + port, "http://[::ffff:127.0.0.1]:" + port} {
		res, err := bench.Run(t.Context(), bench.Config{BaseURL: u, PublicKey: pkey, Scenario: bench.Tokens(false), Requests: 2})
		if err != nil {
			t.Errorf("Run against %s: %v", u, err)
		} else if res.OK != 2 {
			t.Errorf("Run against %s: %d ok, errors %v", u, res.OK, res.ErrorSamples)
		}
	}

	t.Run("Dial", func(t *testing.T) {
		// A scenario that ignores its target still cannot leave loopback.
		sc := bench.Func("escape", func(ctx context.Context, c *http.Client, _ bench.Target) error {
			req, _ := http.NewRequestWithContext(ctx, "GET", "http://192.0.2.1:9/", nil)
			res, err := c.Do(req)
			if err == nil {
				res.Body.Close()
			}
			return err
		})
		res := mustRun(t, bench.Config{BaseURL: url, Scenario: sc, Requests: 3})
		if diff := cmp.Diff(map[string]int64{"not loopback": 3}, res.ErrorsByKind); diff != "" {
			t.Errorf("errors by kind (-want +got):\n%s", diff)
		}
	})
	t.Run("Redirect", func(t *testing.T) {
		_, url := newTokenServer(t, func(_ int64, w http.ResponseWriter, r *http.Request) bool {
			http.Redirect(w, r, "http://192.0.2.1/tokens", http.StatusFound)
			return true
		})
		res := mustRun(t, bench.Config{BaseURL: url, PublicKey: pkey, Scenario: bench.Tokens(false), Requests: 3})
		if diff := cmp.Diff(map[string]int64{"http 302": 3}, res.ErrorsByKind); diff != "" {
			t.Errorf("errors by kind (-want +got):\n%s", diff)
		}
	})
}

func TestRunConfigErrors(t *testing.T) {
	_, url := newTokenServer(t, nil)
	ok := bench.Config{BaseURL: url, PublicKey: pkey, Scenario: bench.Tokens(false), Requests: 1}
	tests := map[string]func(c *bench.Config){
		"NoScenario":      func(c *bench.Config) { c.Scenario = nil },
		"NoBound":         func(c *bench.Config) { c.Requests = 0 },
		"NegativeRate":    func(c *bench.Config) { c.Rate = -1 },
		"TooConcurrent":   func(c *bench.Config) { c.Concurrency = bench.MaxConcurrency + 1 },
		"TooFast":         func(c *bench.Config) { c.Rate = bench.MaxRate * 2 },
		"NoPublicKey":     func(c *bench.Config) { c.PublicKey = "" },
		"NoTarget":        func(c *bench.Config) { c.BaseURL = "" },
		"NegativeTimeout": func(c *bench.Config) { c.Timeout = -time.Second },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			c := ok
			mutate(&c)
			if _, err := bench.Run(t.Context(), c); err == nil {
				t.Error("Run succeeded")
			}
		})
	}
	if _, err := bench.Run(t.Context(), ok); err != nil {
		t.Errorf("Run with the base configuration: %v", err)
	}
}

func TestLookup(t *testing.T) {
	want := []string{"capture", "ceiling", "charges", "charges-auth", "customers", "mixed", "refunds", "tokens", "tokens-form"}
	if diff := cmp.Diff(want, bench.Names()); diff != "" {
		t.Errorf("Names (-want +got):\n%s", diff)
	}
	for _, name := range bench.Names() {
		sc, ok := bench.Lookup(name)
		if !ok || sc.Name() != name {
			t.Errorf("Lookup(%q) = %v, %v", name, sc, ok)
		}
	}
	if _, ok := bench.Lookup("charge"); ok {
		t.Error("Lookup of an unknown scenario succeeded")
	}
}
