package httpapi_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/httpapi"
)

// TestAuthFailureLimit brute-forces secret keys from one IP: after Max
// failures every request from that IP, even with a valid key, gets 429
// with Retry-After until the window ends; another IP is not affected; the
// IP is logged once at warn level and no tried key is ever logged.
func TestAuthFailureLimit(t *testing.T) {
	e := newEnv(t, func(c *httpapi.Config) {
		c.AuthFailures = httpapi.AuthFailureLimit{Max: 5, Window: time.Minute}
	})
	from := func(ip, key string) *resp {
		r := httptest.NewRequest("GET", "/tokens/tokn_test_1", nil)
		r.RemoteAddr = ip + ":4000"
		r.Header.Set("Authorization", basic(key))
		w := httptest.NewRecorder()
		e.srv.ServeHTTP(w, r)
		return &resp{status: w.Code, header: w.Header(), body: w.Body.Bytes()}
	}
	var tried []string
	for i := range 5 {
		key := "skey_test_guess" + strings.Repeat("x", i) + "zz"
		tried = append(tried, key)
		wantError(t, from("198.51.100.7", key), 401, kessai.EAuthenticationFailure)
	}
	r := from("198.51.100.7", skeyA)
	wantError(t, r, 429, kessai.ERateLimited)
	if ra := r.header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After = %q", ra)
	}
	if r := from("198.51.100.8", skeyA); r.status == 429 || r.status == 401 {
		t.Errorf("another IP: %d %s", r.status, r.body)
	}
	var warns int
	for _, l := range e.log.lines(t) {
		if l["level"] == "WARN" && l["client_ip"] == "198.51.100.7" {
			warns++
		}
	}
	if warns != 1 {
		t.Errorf("%d warn lines naming the IP, want 1:\n%s", warns, e.log.String())
	}
	for _, k := range append(tried, skeyA) {
		if strings.Contains(e.log.String(), k) {
			t.Errorf("log holds a tried key %.12s…", k)
		}
	}
	// The window ends: the IP may try again.
	e.clock.Add(time.Minute)
	if r := from("198.51.100.7", skeyA); r.status == 429 || r.status == 401 {
		t.Errorf("after the window: %d %s", r.status, r.body)
	}
}

// TestAuthFailureLimitOff checks that a negative Max turns the limit off.
func TestAuthFailureLimitOff(t *testing.T) {
	e := newEnv(t, func(c *httpapi.Config) { c.AuthFailures.Max = -1 })
	for range 100 {
		if r := e.do(t, req{method: "GET", path: "/tokens/tokn_test_1", key: "skey_test_wrong"}); r.status != 401 {
			t.Fatalf("status %d", r.status)
		}
	}
}
