package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/fraud"
	"github.com/kessai/kessai/internal/dbtest"
)

func newFraudEnv(t *testing.T) *env {
	t.Helper()
	db := dbtest.Open(t, dbtest.SQLiteDSN(t))
	e := newEnv(t)
	db.Now = e.clock.Now
	eng := fraud.New(fraud.Config{Store: db, Now: e.clock.Now})
	e.srv.AddFraud(eng.Service())
	return e
}

const form = "application/x-www-form-urlencoded"

func TestFraudRulesAPI(t *testing.T) {
	e := newFraudEnv(t)
	r := e.do(t, req{method: "GET", path: "/fraud/rules", key: skeyA})
	if r.status != 200 {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	if n := len(r.json(t)["data"].([]any)); n != len(fraud.DefaultRules) {
		t.Errorf("%d rules listed", n)
	}
	r = e.do(t, req{method: "POST", path: "/fraud/rules", key: skeyA, contentType: "application/json",
		body: `{"rule": "block if :amount_usd: > 5000 and card_funding == 'prepaid'", "description": "big prepaid", "shadow": true}`})
	if r.status != 200 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	m := r.json(t)
	id, _ := m["id"].(string)
	if m["object"] != "fraud_rule" || m["action"] != "block" || m["shadow"] != true || m["enabled"] != true || !strings.HasPrefix(id, "frul_test_") {
		t.Errorf("created %s", r.body)
	}
	r = e.do(t, req{method: "PATCH", path: "/fraud/rules/" + id, key: skeyA, contentType: form, body: "enabled=false"})
	if r.status != 200 || r.json(t)["enabled"] != false {
		t.Errorf("disable: %d %s", r.status, r.body)
	}
	r = e.do(t, req{method: "PATCH", path: "/fraud/rules/frul_default_card_declines", key: skeyA, contentType: form, body: "shadow=true"})
	if r.status != 200 || r.json(t)["shadow"] != true {
		t.Errorf("shadow built-in: %d %s", r.status, r.body)
	}
	r = e.do(t, req{method: "GET", path: "/fraud/rules/" + id, key: skeyA})
	if r.status != 200 || r.json(t)["enabled"] != false {
		t.Errorf("get: %d %s", r.status, r.body)
	}
	r = e.do(t, req{method: "DELETE", path: "/fraud/rules/" + id, key: skeyA})
	if r.status != 200 || r.json(t)["deleted"] != true {
		t.Errorf("delete: %d %s", r.status, r.body)
	}
	// Another account does not see account A's rules.
	r = e.do(t, req{method: "GET", path: "/fraud/rules/frul_default_card_declines", key: skeyB})
	if r.status != 200 || r.json(t)["shadow"] != false {
		t.Errorf("account B: %d %s", r.status, r.body)
	}
}

func TestFraudRulesAPIErrors(t *testing.T) {
	e := newFraudEnv(t)
	tests := []struct {
		name   string
		rq     req
		status int
		code   string
		msg    string
	}{
		{"public key", req{method: "GET", path: "/fraud/rules", key: pkeyA}, 401, kessai.EAuthenticationFailure, ""},
		{"no key", req{method: "POST", path: "/fraud/rules", body: "rule=x", contentType: form}, 401, kessai.EAuthenticationFailure, ""},
		{"no rule", req{method: "POST", path: "/fraud/rules", key: skeyA, contentType: form, body: "description=x"}, 400, kessai.EBadRequest, "rule is required"},
		{"syntax error", req{method: "POST", path: "/fraud/rules", key: skeyA, contentType: form, body: "rule=block+if+amount+>"}, 400, kessai.EBadRequest, "line 1, column"},
		{"type error", req{method: "POST", path: "/fraud/rules", key: skeyA, contentType: form, body: "rule=block+if+amount+>+'x'"}, 400, kessai.EBadRequest, "line 1, column 17"},
		{"unknown attribute", req{method: "POST", path: "/fraud/rules", key: skeyA, contentType: form, body: "rule=block+if+nope+==+1"}, 400, kessai.EBadRequest, "line 1, column 10"},
		{"bad action", req{method: "POST", path: "/fraud/rules", key: skeyA, contentType: form, body: "rule=deny+if+amount+>+1"}, 400, kessai.EBadRequest, "action"},
		{"rule object", req{method: "POST", path: "/fraud/rules", key: skeyA, contentType: "application/json", body: `{"rule": {"a": 1}}`}, 400, kessai.EBadRequest, "rule must be a string"},
		{"bad bool", req{method: "POST", path: "/fraud/rules", key: skeyA, contentType: form, body: "rule=block+if+amount+>+1&shadow=maybe"}, 400, kessai.EBadRequest, "shadow"},
		{"too long", req{method: "POST", path: "/fraud/rules", key: skeyA, contentType: form, body: "rule=block+if+" + strings.Repeat("1+%2B+", 400) + "1+>+0"}, 400, kessai.EBadRequest, "too long"},
		{"bad json", req{method: "POST", path: "/fraud/rules", key: skeyA, contentType: "application/json", body: `{"rule":`}, 400, kessai.EBadRequest, ""},
		{"unknown rule", req{method: "GET", path: "/fraud/rules/frul_test_nope", key: skeyA}, 404, kessai.ENotFound, ""},
		{"malformed id", req{method: "GET", path: "/fraud/rules/x'--", key: skeyA}, 404, kessai.ENotFound, ""},
		{"patch unknown", req{method: "PATCH", path: "/fraud/rules/frul_test_nope", key: skeyA, contentType: form, body: "enabled=false"}, 404, kessai.ENotFound, ""},
		{"rewrite built-in", req{method: "PATCH", path: "/fraud/rules/frul_default_card_declines", key: skeyA, contentType: form, body: "rule=block+if+amount+>+1"}, 400, kessai.EBadRequest, "built-in"},
		{"delete built-in", req{method: "DELETE", path: "/fraud/rules/frul_default_card_declines", key: skeyA}, 400, kessai.EBadRequest, "built-in"},
		{"delete unknown", req{method: "DELETE", path: "/fraud/rules/frul_test_nope", key: skeyA}, 404, kessai.ENotFound, ""},
		{"method", req{method: "PUT", path: "/fraud/rules", key: skeyA}, 405, kessai.EMethodNotAllowed, ""},
		{"list missing value", req{method: "POST", path: "/fraud/lists", key: skeyA, contentType: form, body: "list=block&type=email"}, 400, kessai.EBadRequest, "value is required"},
		{"list bad list", req{method: "POST", path: "/fraud/lists", key: skeyA, contentType: form, body: "list=grey&type=email&value=a@b.c"}, 400, kessai.EBadRequest, "list"},
		{"list bad type", req{method: "POST", path: "/fraud/lists", key: skeyA, contentType: form, body: "list=block&type=phone&value=1"}, 400, kessai.EBadRequest, "type"},
		{"list bad ip", req{method: "POST", path: "/fraud/lists", key: skeyA, contentType: form, body: "list=block&type=ip_address&value=1.2.3.4/40"}, 400, kessai.EBadRequest, "IP"},
		{"list bad bin", req{method: "POST", path: "/fraud/lists", key: skeyA, contentType: form, body: "list=block&type=card_bin&value=4242"}, 400, kessai.EBadRequest, "BIN"},
		{"list value array", req{method: "POST", path: "/fraud/lists", key: skeyA, contentType: "application/json", body: `{"list":"block","type":"email","value":["a"]}`}, 400, kessai.EBadRequest, "value must be a string"},
		{"list filter", req{method: "GET", path: "/fraud/lists?list=grey", key: skeyA}, 400, kessai.EBadRequest, "list"},
		{"list page", req{method: "GET", path: "/fraud/lists?limit=abc", key: skeyA}, 400, "", ""},
		{"list unknown", req{method: "GET", path: "/fraud/lists/flst_test_nope", key: skeyA}, 404, kessai.ENotFound, ""},
		{"list patch no enabled", req{method: "PATCH", path: "/fraud/lists/flst_test_nope", key: skeyA, contentType: form, body: "x=1"}, 400, kessai.EBadRequest, "enabled is required"},
		{"list patch unknown", req{method: "PATCH", path: "/fraud/lists/flst_test_nope", key: skeyA, contentType: form, body: "enabled=true"}, 404, kessai.ENotFound, ""},
		{"list delete unknown", req{method: "DELETE", path: "/fraud/lists/flst_test_nope", key: skeyA}, 404, kessai.ENotFound, ""},
		{"decision unknown", req{method: "GET", path: "/charges/chrg_test_5xxxxxxxxxxxxxxxxxx/fraud", key: skeyA}, 404, kessai.ENotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(t, tt.rq)
			if r.status >= 500 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if tt.code == "" {
				if r.status != tt.status || r.json(t)["object"] != "error" {
					t.Errorf("status %d body %s", r.status, r.body)
				}
				return
			}
			m := wantError(t, r, tt.status, tt.code)
			if msg, _ := m["message"].(string); !strings.Contains(msg, tt.msg) {
				t.Errorf("message %q does not contain %q", msg, tt.msg)
			}
		})
	}
}

func TestFraudListsAPI(t *testing.T) {
	e := newFraudEnv(t)
	r := e.do(t, req{method: "POST", path: "/fraud/lists", key: skeyA, contentType: form, body: "list=block&type=ip_address&value=192.0.2.0/24"})
	if r.status != 200 {
		t.Fatalf("add: %d %s", r.status, r.body)
	}
	id := r.json(t)["id"].(string)
	r = e.do(t, req{method: "POST", path: "/fraud/lists", key: skeyA, contentType: form, body: "list=block&type=ip_address&value=192.0.2.0/24"})
	wantError(t, r, http.StatusConflict, kessai.EConflict)
	e.do(t, req{method: "POST", path: "/fraud/lists", key: skeyA, contentType: form, body: "list=allow&type=email&value=VIP@Example.com"})
	r = e.do(t, req{method: "GET", path: "/fraud/lists?list=allow", key: skeyA})
	m := r.json(t)
	if r.status != 200 || m["total"] != float64(1) || m["data"].([]any)[0].(map[string]any)["value"] != "vip@example.com" {
		t.Errorf("allow list: %s", r.body)
	}
	r = e.do(t, req{method: "PATCH", path: "/fraud/lists/" + id, key: skeyA, contentType: form, body: "enabled=false"})
	if r.status != 200 || r.json(t)["enabled"] != false {
		t.Errorf("disable: %d %s", r.status, r.body)
	}
	r = e.do(t, req{method: "GET", path: "/fraud/lists/" + id, key: skeyA})
	if r.status != 200 || r.json(t)["value"] != "192.0.2.0/24" {
		t.Errorf("get: %d %s", r.status, r.body)
	}
	if r := e.do(t, req{method: "GET", path: "/fraud/lists/" + id, key: skeyB}); r.status != 404 {
		t.Errorf("other account: %d", r.status)
	}
	r = e.do(t, req{method: "DELETE", path: "/fraud/lists/" + id, key: skeyA})
	if r.status != 200 || r.json(t)["deleted"] != true {
		t.Errorf("delete: %d %s", r.status, r.body)
	}
}
