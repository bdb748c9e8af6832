package httpapi_test

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/httpapi"
)

// things registers GET/POST /things (secret key), which echo the list
// parameters and the account, for tests of the shared conventions.
func (e *env) things() {
	e.srv.Handle(http.MethodGet, "/things", func(w http.ResponseWriter, r *http.Request) error {
		lp, err := httpapi.ListParamsOf(r)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, kessai.NewList("/things", lp, []string{httpapi.AuthOf(r).AccountID}, 1))
	})
	e.srv.Handle(http.MethodPost, "/things", func(w http.ResponseWriter, r *http.Request) error {
		p := httpapi.ParamsOf(r)
		amount := p.Int64("amount")
		capture := !p.Has("capture") || p.Bool("capture")
		if err := p.Err(); err != nil {
			return err
		}
		return httpapi.WriteJSON(w, map[string]any{"object": "thing", "amount": amount, "capture": capture})
	})
}

func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	e.things()
	b64 := base64.StdEncoding.EncodeToString
	tests := []struct {
		name   string
		auth   string // the Authorization header; "-" sends none
		method string
		path   string
		status int
	}{
		{"NoHeader", "-", "GET", "/things", 401},
		{"NotBasic", "Bearer " + skeyA, "GET", "/things", 401},
		{"BadBase64", "Basic !!!notbase64", "GET", "/things", 401},
		{"EmptyBasic", "Basic ", "GET", "/things", 401},
		{"EmptyKey", "Basic " + b64([]byte(":")), "GET", "/things", 401},
		{"UnknownKey", basic("skey_test_zzzzzzzzzzzzzzzzzzz"), "GET", "/things", 401},
		{"GarbageKey", "Basic " + b64([]byte("' OR 1=1 --:")), "GET", "/things", 401},
		{"ExpiredKey", basic(expired), "GET", "/things", 401},
		{"PublicKeyOnSecretRoute", basic(pkeyA), "GET", "/things", 401},
		{"SecretKeyOnPOSTTokens", basic(skeyA), "POST", "/tokens", 401},
		{"HugeHeader", "Basic " + strings.Repeat("A", 4096), "GET", "/things", 401},
		{"SecretKey", basic(skeyA), "GET", "/things", 200},
		{"NoColon", "Basic " + b64([]byte(skeyA)), "GET", "/things", 200},
		{"WithPassword", "Basic " + b64([]byte(skeyA+":x")), "GET", "/things", 200},
		{"LowercaseScheme", "basic " + b64([]byte(skeyA+":")), "GET", "/things", 200},
		{"UnpaddedBase64", "Basic " + strings.TrimRight(b64([]byte(skeyA+":")), "="), "GET", "/things", 200},
		{"PublicKeyOnPOSTTokens", basic(pkeyA), "POST", "/tokens", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{}
			if tt.auth != "-" {
				h["Authorization"] = tt.auth
			}
			body := ""
			if tt.method == "POST" {
				body = tokenForm
			}
			r := e.do(t, req{method: tt.method, path: tt.path, header: h, body: body,
				contentType: "application/x-www-form-urlencoded"})
			if tt.status == 401 {
				wantError(t, r, 401, kessai.EAuthenticationFailure)
				return
			}
			if r.status != tt.status {
				t.Errorf("status = %d, want %d: %s", r.status, tt.status, r.body)
			}
		})
	}
	if n := e.accounts.calls.Load(); n > 4 {
		t.Errorf("AccountService.Authenticate called %d times; malformed keys must not reach it and good ones must be cached", n)
	}
}

func TestAuthCache(t *testing.T) {
	e := newEnv(t, func(c *httpapi.Config) { c.Limits.AuthCacheTTL = 10 * time.Second })
	e.things()
	get := func() int { return e.do(t, req{method: "GET", path: "/things", key: skeyA}).status }
	for range 50 {
		if s := get(); s != 200 {
			t.Fatalf("status %d", s)
		}
	}
	if n := e.accounts.calls.Load(); n != 1 {
		t.Errorf("Authenticate called %d times for 50 requests, want 1", n)
	}
	// A revoked key keeps working until the TTL has passed, then fails.
	e.accounts.revoke(skeyA)
	e.clock.Add(9 * time.Second)
	if s := get(); s != 200 {
		t.Errorf("within the TTL: status %d, want 200", s)
	}
	e.clock.Add(2 * time.Second)
	if s := get(); s != 401 {
		t.Errorf("after the TTL: status %d, want 401", s)
	}
	// Failures are not cached.
	before := e.accounts.calls.Load()
	get()
	get()
	if n := e.accounts.calls.Load() - before; n != 2 {
		t.Errorf("unknown key looked up %d times for 2 requests, want 2", n)
	}
	// ForgetKeys drops cached keys at once.
	e.do(t, req{method: "GET", path: "/things", key: skeyB})
	e.accounts.revoke(skeyB)
	e.srv.ForgetKeys()
	if s := e.do(t, req{method: "GET", path: "/things", key: skeyB}).status; s != 401 {
		t.Errorf("after ForgetKeys: status %d, want 401", s)
	}
}

func TestAuthCacheDisabled(t *testing.T) {
	e := newEnv(t, func(c *httpapi.Config) { c.Limits.AuthCacheTTL = -1 })
	e.things()
	for range 3 {
		e.do(t, req{method: "GET", path: "/things", key: skeyA})
	}
	if n := e.accounts.calls.Load(); n != 3 {
		t.Errorf("Authenticate called %d times, want 3", n)
	}
}

func TestNotFound(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/definitely_never_found", "/", "/tokens/tokn_test_x/extra", "/charges"} {
		t.Run(path, func(t *testing.T) {
			for _, key := range []string{"", skeyA} {
				r := e.do(t, req{method: "GET", path: path, key: key})
				wantError(t, r, 404, kessai.ENotFound)
			}
		})
	}
}

func TestMethodNotAllowed(t *testing.T) {
	e := newEnv(t)
	r := e.do(t, req{method: "DELETE", path: "/tokens", key: pkeyA})
	wantError(t, r, 405, kessai.EMethodNotAllowed)
	if got := r.header.Get("Allow"); got != "OPTIONS, POST" {
		t.Errorf("Allow = %q", got)
	}
	r = e.do(t, req{method: "PUT", path: "/healthz"})
	wantError(t, r, 405, kessai.EMethodNotAllowed)
	if got := r.header.Get("Allow"); got != "GET, HEAD" {
		t.Errorf("Allow = %q", got)
	}
}

func TestTrailingSlashAndCleanPaths(t *testing.T) {
	e := newEnv(t)
	e.things()
	for _, path := range []string{"/things/", "//things", "/things//", "/x/../things"} {
		if r := e.do(t, req{method: "GET", path: path, key: skeyA}); r.status != 200 {
			t.Errorf("GET %s: status %d: %s", path, r.status, r.body)
		}
	}
	r := e.do(t, req{method: "POST", path: "/tokens/", key: pkeyA, body: tokenForm})
	if r.status != 200 {
		t.Fatalf("POST /tokens/: %d %s", r.status, r.body)
	}
	id := r.json(t)["id"].(string)
	if r := e.do(t, req{method: "GET", path: "/tokens/" + id + "/", key: pkeyA}); r.status != 200 {
		t.Errorf("GET /tokens/id/: %d %s", r.status, r.body)
	}
}

func TestOmiseVersion(t *testing.T) {
	e := newEnv(t)
	e.things()
	for _, tt := range []struct {
		version string
		status  int
	}{{"", 200}, {"2019-05-29", 200}, {"2017-11-02", 400}, {"2014-07-27", 400}, {"latest", 400}} {
		r := e.do(t, req{method: "GET", path: "/things", key: skeyA, header: map[string]string{"Omise-Version": tt.version}})
		if tt.status == 400 {
			wantError(t, r, 400, kessai.EBadRequest)
		} else if r.status != tt.status {
			t.Errorf("Omise-Version %q: status %d", tt.version, r.status)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	e := newEnv(t, func(c *httpapi.Config) { c.Limits.MaxBodyBytes = 1024 })
	e.things()
	big := "amount=1&pad=" + strings.Repeat("x", 2000)
	t.Run("ContentLength", func(t *testing.T) {
		r := e.do(t, req{method: "POST", path: "/things", key: skeyA, body: big, contentType: "application/x-www-form-urlencoded"})
		wantError(t, r, 413, kessai.ETooLarge)
	})
	t.Run("Chunked", func(t *testing.T) {
		r := httptest.NewRequest("POST", "/things", strings.NewReader(big))
		r.ContentLength = -1
		r.Header.Set("Authorization", basic(skeyA))
		w := httptest.NewRecorder()
		e.srv.ServeHTTP(w, r)
		wantError(t, &resp{status: w.Code, header: w.Header(), body: w.Body.Bytes()}, 413, kessai.ETooLarge)
	})
	t.Run("AtTheLimit", func(t *testing.T) {
		body := "amount=1&pad=" + strings.Repeat("x", 1024-13)
		if r := e.do(t, req{method: "POST", path: "/things", key: skeyA, body: body}); r.status != 200 {
			t.Errorf("status %d: %s", r.status, r.body)
		}
	})
}

func TestMalformedBodies(t *testing.T) {
	e := newEnv(t)
	e.things()
	form, js := "application/x-www-form-urlencoded", "application/json"
	for _, tt := range []struct {
		name, ct, body string
	}{
		{"FormBadEscape", form, "amount=%zz"},
		{"FormBadBrackets", form, "card[number=1"},
		{"FormNoBaseName", form, "[a]=1"},
		{"FormConflict", form, "a=1&a[b]=2"},
		{"FormInvalidUTF8", form, "description=%ff%fe"},
		{"FormNUL", form, "description=a%00b"},
		{"FormBadInteger", form, "amount=12.5"},
		{"FormBadBool", form, "amount=1&capture=yes"},
		{"JSONSyntax", js, `{"amount":`},
		{"JSONTrailing", js, `{"amount":1} {}`},
		{"JSONArray", js, `[1,2]`},
		{"JSONString", js, `"amount"`},
		{"JSONDeep", js, `{"a":` + strings.Repeat(`{"a":`, 40) + `1` + strings.Repeat("}", 41)},
		{"JSONBadInteger", js, `{"amount":1e3}`},
		{"JSONAmountObject", js, `{"amount":{"x":1}}`},
		{"JSONNUL", js, `{"description":"a\u0000b"}`},
		{"Multipart", "multipart/form-data; boundary=x", "--x--"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(t, req{method: "POST", path: "/things", key: skeyA, body: tt.body, contentType: tt.ct})
			wantError(t, r, 400, kessai.EBadRequest)
		})
	}
	t.Run("MessageNamesTheParameter", func(t *testing.T) {
		r := e.do(t, req{method: "POST", path: "/things", key: skeyA, body: `{"amount":"12abc"}`, contentType: js})
		m := wantError(t, r, 400, kessai.EBadRequest)
		if msg := m["message"].(string); !strings.Contains(msg, "amount") || strings.Contains(msg, "12abc") {
			t.Errorf("message %q should name amount and not echo its value", msg)
		}
	})
}

func TestSuccessIs200(t *testing.T) {
	e := newEnv(t)
	e.things()
	for _, tt := range []struct{ ct, body string }{
		{"application/x-www-form-urlencoded", "amount=100&capture=false"},
		{"application/json", `{"amount":"100","capture":0,"unknown":{"x":[1]},"description":null}`},
		{"application/json; charset=utf-8", `{"amount":100,"capture":"False"}`},
		{"", `{"amount":100,"capture":false}`},
		{"", "amount=100&capture=0"},
	} {
		r := e.do(t, req{method: "POST", path: "/things", key: skeyA, body: tt.body, contentType: tt.ct})
		if r.status != 200 {
			t.Errorf("%s %s: status %d: %s", tt.ct, tt.body, r.status, r.body)
			continue
		}
		if m := r.json(t); m["amount"] != 100.0 || m["capture"] != false {
			t.Errorf("%s %s: got %s", tt.ct, tt.body, r.body)
		}
	}
}

func TestRequestID(t *testing.T) {
	e := newEnv(t)
	t.Run("Echoed", func(t *testing.T) {
		for _, h := range []string{"Request-Id", "X-Request-Id"} {
			r := e.do(t, req{method: "GET", path: "/healthz", header: map[string]string{h: "abc-123"}})
			if r.header.Get("Request-Id") != "abc-123" || r.header.Get("X-Request-Id") != "abc-123" {
				t.Errorf("%s: response ids %q %q", h, r.header.Get("Request-Id"), r.header.Get("X-Request-Id"))
			}
		}
	})
	t.Run("GeneratedWhenMissingOrBad", func(t *testing.T) {
		seen := map[string]bool{}
		for _, sent := range []string{"", "bad id with spaces", strings.Repeat("x", 200)} {
			r := e.do(t, req{method: "GET", path: "/nowhere", header: map[string]string{"Request-Id": sent}})
			id := r.header.Get("Request-Id")
			if !strings.HasPrefix(id, "req_") || seen[id] {
				t.Errorf("generated id %q", id)
			}
			seen[id] = true
		}
	})
	t.Run("OnEveryLogLine", func(t *testing.T) {
		e := newEnv(t)
		e.srv.Handle("GET", "/fail", func(w http.ResponseWriter, r *http.Request) error {
			httpapi.LoggerOf(r).Info("handler says hi")
			return errors.New("boom")
		})
		e.do(t, req{method: "GET", path: "/fail", key: skeyA, header: map[string]string{"Request-Id": "rid-1"}})
		lines := e.log.lines(t)
		if len(lines) != 3 {
			t.Fatalf("%d log lines, want 3 (handler, error, access): %s", len(lines), e.log)
		}
		for _, l := range lines {
			if l["request_id"] != "rid-1" {
				t.Errorf("log line without the request id: %v", l)
			}
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	for _, rq := range []req{
		{method: "GET", path: "/healthz"},
		{method: "GET", path: "/nowhere"},
		{method: "POST", path: "/tokens"},
		{method: "POST", path: "/tokens", key: pkeyA, body: tokenForm},
	} {
		r := e.do(t, rq)
		if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s %s: CSP %q", rq.method, rq.path, csp)
		}
		if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s %s: headers %v", rq.method, rq.path, r.header)
		}
		if r.header.Get("Strict-Transport-Security") != "" {
			t.Errorf("HSTS over plain HTTP")
		}
	}
	r := httptest.NewRequest("GET", "https://vault.example/healthz", nil)
	r.TLS = &tls.ConnectionState{}
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, r)
	if !strings.HasPrefix(w.Header().Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("no HSTS over TLS: %v", w.Header())
	}
	xfp := map[string]string{"X-Forwarded-Proto": "https"}
	if e.do(t, req{method: "GET", path: "/healthz", header: xfp}).header.Get("Strict-Transport-Security") != "" {
		t.Error("X-Forwarded-Proto trusted without TrustProxy")
	}
	e = newEnv(t, func(c *httpapi.Config) { c.TrustProxy = true })
	if e.do(t, req{method: "GET", path: "/healthz", header: xfp}).header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS behind a TLS proxy")
	}
}

func TestCORS(t *testing.T) {
	e := newEnv(t)
	e.things()
	t.Run("Preflight", func(t *testing.T) {
		r := e.do(t, req{method: "OPTIONS", path: "/tokens", header: map[string]string{
			"Origin": "https://shop.example", "Access-Control-Request-Method": "POST",
			"Access-Control-Request-Headers": "authorization, content-type"}})
		if r.status != http.StatusNoContent {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		h := r.header
		if h.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") ||
			!strings.Contains(h.Get("Access-Control-Allow-Headers"), "Authorization") ||
			!strings.Contains(h.Get("Access-Control-Allow-Headers"), "Content-Type") {
			t.Errorf("preflight headers: %v", h)
		}
		if h.Get("Access-Control-Allow-Credentials") != "" {
			t.Error("credentials allowed")
		}
	})
	t.Run("TokenResponses", func(t *testing.T) {
		for _, rq := range []req{
			{method: "POST", path: "/tokens", key: pkeyA, body: tokenForm},
			{method: "POST", path: "/tokens"}, // errors too, so that scripts can read them
			{method: "GET", path: "/tokens/tokn_test_nothere", key: pkeyA},
		} {
			if got := e.do(t, rq).header.Get("Access-Control-Allow-Origin"); got != "*" {
				t.Errorf("%s %s: Access-Control-Allow-Origin %q", rq.method, rq.path, got)
			}
		}
	})
	t.Run("NotOnOtherRoutes", func(t *testing.T) {
		r := e.do(t, req{method: "GET", path: "/things", key: skeyA, header: map[string]string{"Origin": "https://x.example"}})
		if r.header.Get("Access-Control-Allow-Origin") != "" {
			t.Error("CORS on a secret-key route")
		}
		r = e.do(t, req{method: "OPTIONS", path: "/things"})
		wantError(t, r, 405, kessai.EMethodNotAllowed)
	})
}

func TestHealthz(t *testing.T) {
	e := newEnv(t)
	r := e.do(t, req{method: "GET", path: "/healthz"})
	if r.status != 200 || r.json(t)["status"] != "ok" {
		t.Errorf("healthz: %d %s", r.status, r.body)
	}
	if r := e.do(t, req{method: "HEAD", path: "/healthz"}); r.status != 200 {
		t.Errorf("HEAD healthz: %d", r.status)
	}
	e = newEnv(t, func(c *httpapi.Config) {
		c.Ping = func(context.Context) error { return nil }
	})
	if r := e.do(t, req{method: "GET", path: "/healthz"}); r.status != 200 {
		t.Errorf("healthz with a working ping: %d", r.status)
	}
}

func TestHealthzPingFails(t *testing.T) {
	e := newEnv(t, func(c *httpapi.Config) {
		c.Ping = func(context.Context) error { return errors.New("db down: dial tcp 10.0.0.1:5432") }
	})
	r := e.do(t, req{method: "GET", path: "/healthz"})
	m := wantError(t, r, 503, kessai.EUnavailable)
	if strings.Contains(m["message"].(string), "10.0.0.1") {
		t.Errorf("internal detail shown: %v", m)
	}
}

func TestInternalErrorsAreHidden(t *testing.T) {
	e := newEnv(t)
	e.srv.Handle("GET", "/fail", func(w http.ResponseWriter, r *http.Request) error {
		return fmt.Errorf("query charges: %w", errors.New("pq: relation \"secret_table\" does not exist"))
	})
	r := e.do(t, req{method: "GET", path: "/fail", key: skeyA})
	m := wantError(t, r, 500, kessai.EInternal)
	if strings.Contains(m["message"].(string), "secret_table") {
		t.Errorf("internal detail shown: %v", m)
	}
	if !strings.Contains(e.log.String(), "secret_table") {
		t.Errorf("internal detail not logged: %s", e.log)
	}
}

func TestPanic(t *testing.T) {
	e := newEnv(t)
	e.srv.Handle("POST", "/explode", func(w http.ResponseWriter, r *http.Request) error {
		panic("card " + httpapi.ParamsOf(r).String("number"))
	})
	e.srv.Handle("GET", "/index", func(w http.ResponseWriter, r *http.Request) error {
		var s []int
		_ = s[len(r.URL.Path)]
		return nil
	})
	r := e.do(t, req{method: "POST", path: "/explode", key: skeyA, body: "number=" + visa, header: map[string]string{"Request-Id": "rid-p"}})
	wantError(t, r, 500, kessai.EInternal)
	logs := e.log.String()
	if strings.Contains(logs, visa) {
		t.Errorf("card number logged: %s", logs)
	}
	if !strings.Contains(logs, "handler panicked") || !strings.Contains(logs, "rid-p") {
		t.Errorf("panic not logged with the request id: %s", logs)
	}
	r = e.do(t, req{method: "GET", path: "/index", key: skeyA})
	wantError(t, r, 500, kessai.EInternal)
	if !strings.Contains(e.log.String(), "index out of range") {
		t.Errorf("runtime panic not described: %s", e.log)
	}
}

func TestAccessLog(t *testing.T) {
	e := newEnv(t)
	r := e.do(t, req{method: "POST", path: "/tokens", key: pkeyA, body: tokenForm, header: map[string]string{"Request-Id": "rid-a"}})
	if r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
	lines := e.log.lines(t)
	if len(lines) != 1 {
		t.Fatalf("%d log lines, want 1: %s", len(lines), e.log)
	}
	l := lines[0]
	for k, want := range map[string]any{"msg": "request", "method": "POST", "route": "/tokens", "status": 200.0,
		"request_id": "rid-a", "account_id": "acct_test_a", "livemode": false} {
		if l[k] != want {
			t.Errorf("log %s = %v, want %v", k, l[k], want)
		}
	}
	if _, ok := l["duration"]; !ok {
		t.Error("no duration")
	}
	logs := e.log.String()
	for _, secret := range []string{pkeyA, "4242", "Somchai", basic(pkeyA)[6:]} {
		if strings.Contains(logs, secret) {
			t.Errorf("log holds %q: %s", secret, logs)
		}
	}
}

func TestRouteRegistration(t *testing.T) {
	e := newEnv(t)
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: no panic", name)
			}
		}()
		f()
	}
	h := func(w http.ResponseWriter, r *http.Request) error { return nil }
	mustPanic("Duplicate", func() { e.srv.Handle("POST", "/tokens", h) })
	mustPanic("TrailingSlash", func() { e.srv.Handle("GET", "/things/", h) })
	mustPanic("NoSlash", func() { e.srv.Handle("GET", "things", h) })
	mustPanic("LowercaseMethod", func() { e.srv.Handle("get", "/things", h) })
	// A route that accepts both kinds of key.
	e.srv.Handle("GET", "/capability", func(w http.ResponseWriter, r *http.Request) error {
		return httpapi.WriteJSON(w, map[string]string{"object": "capability"})
	}, kessai.PublicKey, kessai.SecretKey)
	for _, key := range []string{pkeyA, skeyA} {
		if r := e.do(t, req{method: "GET", path: "/capability", key: key}); r.status != 200 {
			t.Errorf("key %s: %d", key[:4], r.status)
		}
	}
}

func TestStorageOutageIs503(t *testing.T) {
	outage := errors.New("disk full")
	e := newEnv(t, func(c *httpapi.Config) {
		c.Unavailable = func(err error) bool { return errors.Is(err, outage) }
	})
	e.srv.Handle("GET", "/down", func(w http.ResponseWriter, r *http.Request) error {
		return fmt.Errorf("insert charge: %w", outage)
	})
	e.srv.Handle("GET", "/bug", func(w http.ResponseWriter, r *http.Request) error {
		return errors.New("nil map")
	})
	e.srv.Handle("GET", "/coded", func(w http.ResponseWriter, r *http.Request) error {
		return kessai.WrapError(outage, kessai.ENotFound, "charge was not found")
	})
	r := e.do(t, req{method: "GET", path: "/down", key: skeyA})
	m := wantError(t, r, 503, kessai.EUnavailable)
	if strings.Contains(m["message"].(string), "disk") || r.header.Get("Retry-After") == "" {
		t.Errorf("outage answer: %v, Retry-After %q", m, r.header.Get("Retry-After"))
	}
	wantError(t, e.do(t, req{method: "GET", path: "/bug", key: skeyA}), 500, kessai.EInternal)
	// An error with its own code keeps it.
	wantError(t, e.do(t, req{method: "GET", path: "/coded", key: skeyA}), 404, kessai.ENotFound)
}
