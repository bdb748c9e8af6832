package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/httpapi"
)

func TestReadyz(t *testing.T) {
	var linkDown bool
	e := newEnv(t, func(c *httpapi.Config) {
		c.Ready = []httpapi.ReadyCheck{
			{Name: "database", Check: func(context.Context) error { return nil }},
			{Name: "issuer_link", Check: func(context.Context) error {
				if linkDown {
					return errors.New("dial tcp 10.0.0.7:8583: connection refused")
				}
				return nil
			}},
		}
	})
	r := e.do(t, req{method: "GET", path: "/readyz"})
	if m := r.json(t); r.status != 200 || m["status"] != "ready" || m["checks"].(map[string]any)["issuer_link"] != "ok" {
		t.Fatalf("ready: %d %s", r.status, r.body)
	}
	linkDown = true
	r = e.do(t, req{method: "GET", path: "/readyz"})
	m := wantError(t, r, 503, kessai.EUnavailable)
	if nr, _ := m["not_ready"].([]any); len(nr) != 1 || nr[0] != "issuer_link" {
		t.Errorf("not_ready = %v", m["not_ready"])
	}
	if c := m["checks"].(map[string]any); c["database"] != "ok" || c["issuer_link"] != "not_ready" {
		t.Errorf("checks = %v", c)
	}
	if strings.Contains(string(r.body), "10.0.0.7") {
		t.Error("the check's error detail reached the client")
	}
	if !strings.Contains(e.log.String(), "10.0.0.7") {
		t.Error("the check's error was not logged")
	}
}

func TestMetricsAccess(t *testing.T) {
	e := newEnv(t)
	e.srv.AddMetrics(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("kessai_up 1\n"))
	}), "s3cret-token")
	get := func(remote string, header map[string]string) *resp {
		rq := httptest.NewRequest("GET", "/metrics", nil)
		rq.RemoteAddr = remote
		for k, v := range header {
			rq.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		e.srv.ServeHTTP(w, rq)
		return &resp{status: w.Code, header: w.Header(), body: w.Body.Bytes()}
	}
	for _, tc := range []struct {
		name   string
		remote string
		header map[string]string
		want   int
	}{
		{"LoopbackV4", "127.0.0.1:5555", nil, 200},
		{"LoopbackV6", "[::1]:5555", nil, 200},
		{"RemoteNoToken", "192.0.2.1:5555", nil, 404},
		{"RemoteWrongToken", "192.0.2.1:5555", map[string]string{"Authorization": "Bearer s3cret-tokem"}, 404},
		{"RemoteBasic", "192.0.2.1:5555", map[string]string{"Authorization": basic(skeyA)}, 404},
		{"RemoteToken", "192.0.2.1:5555", map[string]string{"Authorization": "Bearer s3cret-token"}, 200},
		{"SpoofedForwardedFor", "192.0.2.1:5555", map[string]string{"X-Forwarded-For": "127.0.0.1"}, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := get(tc.remote, tc.header)
			if r.status != tc.want {
				t.Fatalf("status %d, want %d: %s", r.status, tc.want, r.body)
			}
			if tc.want == 404 {
				wantError(t, r, 404, kessai.ENotFound)
			} else if string(r.body) != "kessai_up 1\n" {
				t.Errorf("body %q", r.body)
			}
		})
	}
}

func TestObserveRequests(t *testing.T) {
	type obs struct {
		method, route string
		status        int
	}
	var got []obs
	e := newEnv(t, func(c *httpapi.Config) {
		c.Observe = func(method, route string, status int, d time.Duration) {
			if d < 0 {
				t.Errorf("negative duration %v", d)
			}
			got = append(got, obs{method, route, status})
		}
	})
	e.do(t, req{method: "GET", path: "/tokens/tokn_test_x%27%20OR%201=1--", key: pkeyA})
	e.do(t, req{method: "GET", path: "/no/such/path/4242424242424242"})
	e.do(t, req{method: "BREW", path: "/healthz"})
	want := []obs{{"GET", "/tokens/{id}", 404}, {"GET", "unmatched", 404}, {"BREW", "/healthz", 405}}
	if len(got) != len(want) {
		t.Fatalf("observed %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("observation %d = %v, want %v", i, got[i], want[i])
		}
	}
}
