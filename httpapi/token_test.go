package httpapi_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai"
	"github.com/kessai/kessai/card"
	"github.com/kessai/kessai/httpapi"
)

func TestCreateToken(t *testing.T) {
	full := card.RawInput{Name: "Somchai Prasert", Number: "4242424242424242", ExpirationMonth: "12", ExpirationYear: "2030",
		SecurityCode: "123", City: "Bangkok", PostalCode: "10320", Country: "th", State: "Bangkok",
		Street1: "1 Road", Street2: "Floor 2", PhoneNumber: "+66000000000", Email: "s@example.com"}
	formBody := "card[name]=Somchai+Prasert&card[number]=4242424242424242&card[expiration_month]=12&card[expiration_year]=2030" +
		"&card[security_code]=123&card[city]=Bangkok&card[postal_code]=10320&card[country]=th&card[state]=Bangkok" +
		"&card[street1]=1+Road&card[street2]=Floor+2&card[phone_number]=%2B66000000000&card[email]=s%40example.com"
	jsonBody := `{"card":{"name":"Somchai Prasert","number":"4242424242424242","expiration_month":12,"expiration_year":2030,
		"security_code":"123","city":"Bangkok","postal_code":"10320","country":"th","state":"Bangkok",
		"street1":"1 Road","street2":"Floor 2","phone_number":"+66000000000","email":"s@example.com","unknown":"x"}}`
	for _, tt := range []struct{ name, ct, body string }{
		{"Form", ctForm, formBody},
		{"JSON", ctJSON, jsonBody},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			r := e.do(t, req{method: "POST", path: "/tokens", key: pkeyA, body: tt.body, contentType: tt.ct})
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			m := r.json(t)
			if m["object"] != "token" || !strings.HasPrefix(m["id"].(string), "tokn_test_") {
				t.Errorf("token = %s", r.body)
			}
			if diff := cmp.Diff(&full, e.tokens.raw); diff != "" {
				t.Errorf("RawInput (-want +got):\n%s", diff)
			}
			if e.tokens.ip != "192.0.2.1" { // httptest's RemoteAddr
				t.Errorf("client IP = %q", e.tokens.ip)
			}
			if strings.Contains(string(r.body), "4242424242424242") || strings.Contains(string(r.body), `"123"`) {
				t.Errorf("response echoes card data: %s", r.body)
			}
		})
	}
}

func TestCreateTokenErrors(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct{ name, ct, body, code string }{
		{"NoBody", "", "", kessai.EInvalidCard},
		{"NoCard", ctForm, "name=x", kessai.EInvalidCard},
		{"CardNull", ctJSON, `{"card":null}`, kessai.EInvalidCard},
		{"CardString", ctJSON, `{"card":"4242424242424242"}`, kessai.EInvalidCard},
		{"CardNumberObject", ctJSON, `{"card":{"number":{"a":"4242424242424242"}}}`, kessai.EInvalidCard},
		{"BadLuhn", ctForm, "card[name]=A&card[number]=4242424242424241&card[expiration_month]=1&card[expiration_year]=2030", kessai.EInvalidCard},
		{"Expired", ctForm, "card[name]=A&card[number]=4242424242424242&card[expiration_month]=1&card[expiration_year]=2020", kessai.EInvalidCard},
		{"BadCVV", ctForm, "card[name]=A&card[number]=4242424242424242&card[expiration_month]=1&card[expiration_year]=2030&card[security_code]=12a", kessai.EInvalidCard},
		{"MalformedJSON", ctJSON, `{"card":{"number":"4242`, kessai.EBadRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(t, req{method: "POST", path: "/tokens", key: pkeyA, body: tt.body, contentType: tt.ct})
			m := wantError(t, r, 400, tt.code)
			if msg := m["message"].(string); strings.Contains(msg, "424242") || strings.Contains(msg, "12a") {
				t.Errorf("message echoes card data: %q", msg)
			}
		})
	}
	if strings.Contains(e.log.String(), "424242") {
		t.Errorf("card data logged: %s", e.log)
	}
}

func TestCreateTokenClientIPBehindProxy(t *testing.T) {
	e := newEnv(t, func(c *httpapi.Config) { c.TrustProxy = true })
	e.do(t, req{method: "POST", path: "/tokens", key: pkeyA, body: tokenForm,
		header: map[string]string{"X-Forwarded-For": "198.51.100.7, 203.0.113.9"}})
	if e.tokens.ip != "203.0.113.9" {
		t.Errorf("client IP = %q, want the last X-Forwarded-For entry", e.tokens.ip)
	}
	e = newEnv(t)
	e.do(t, req{method: "POST", path: "/tokens", key: pkeyA, body: tokenForm,
		header: map[string]string{"X-Forwarded-For": "198.51.100.7"}})
	if e.tokens.ip != "192.0.2.1" {
		t.Errorf("client IP = %q: X-Forwarded-For trusted without TrustProxy", e.tokens.ip)
	}
}

func TestGetToken(t *testing.T) {
	e := newEnv(t)
	r := e.do(t, req{method: "POST", path: "/tokens", key: pkeyA, body: tokenForm})
	id := r.json(t)["id"].(string)
	for _, key := range []string{pkeyA, skeyA} {
		r := e.do(t, req{method: "GET", path: "/tokens/" + id, key: key})
		if r.status != 200 || r.json(t)["id"] != id {
			t.Errorf("GET with %s: %d %s", key[:4], r.status, r.body)
		}
	}
	for _, tt := range []struct{ name, path, key string }{
		{"OtherAccount", "/tokens/" + id, pkeyB},
		{"OtherMode", "/tokens/" + id, pkeyALive},
		{"Unknown", "/tokens/tokn_test_0000000000000000000", pkeyA},
		{"NotATokenID", "/tokens/4242424242424242", pkeyA},
		{"Weird", "/tokens/%3Cscript%3E", pkeyA},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := wantError(t, e.do(t, req{method: "GET", path: tt.path, key: tt.key}), 404, kessai.ENotFound)
			if msg := m["message"].(string); strings.Contains(msg, "4242") || strings.Contains(msg, "<") {
				t.Errorf("message echoes the path: %q", msg)
			}
		})
	}
}

// TestTokenEndpointConcurrency runs many token requests at once through a
// real HTTP server, for the race detector.
func TestTokenEndpointConcurrency(t *testing.T) {
	e := newEnv(t)
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	errs := make(chan error, 64)
	for range 64 {
		go func() {
			rq, _ := newHTTPRequest("POST", ts.URL+"/tokens", tokenForm, pkeyA)
			res, err := ts.Client().Do(rq)
			if err == nil {
				res.Body.Close()
				if res.StatusCode != 200 {
					err = errStatus(res.StatusCode)
				}
			}
			errs <- err
		}()
	}
	for range 64 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestCreateTokenGuard(t *testing.T) {
	var gotIP string
	var gotAuth *kessai.Auth
	refuse := true
	e := newEnv(t, func(c *httpapi.Config) {
		c.TokenGuard = func(ctx context.Context, ip string, auth *kessai.Auth) error {
			gotIP, gotAuth = ip, auth
			if refuse {
				return kessai.Errorf(kessai.ERateLimited, "too many declined payments from this source; try again later")
			}
			return nil
		}
	})
	body := "card[name]=A&card[number]=4242424242424242&card[expiration_month]=1&card[expiration_year]=2030"
	r := e.do(t, req{method: "POST", path: "/tokens", key: pkeyA, body: body, contentType: ctForm})
	if r.status != 429 {
		t.Fatalf("refused: status %d: %s", r.status, r.body)
	}
	if m := r.json(t); m["object"] != "error" || m["code"] != kessai.ERateLimited {
		t.Errorf("refused: %s", r.body)
	}
	if e.tokens.raw != nil {
		t.Error("a refused token reached the token service")
	}
	if gotIP != "192.0.2.1" || gotAuth == nil || gotAuth.Kind != kessai.PublicKey {
		t.Errorf("guard got ip %q auth %+v", gotIP, gotAuth)
	}
	refuse = false
	if r := e.do(t, req{method: "POST", path: "/tokens", key: pkeyA, body: body, contentType: ctForm}); r.status != 200 {
		t.Errorf("allowed: status %d: %s", r.status, r.body)
	}
}
