package app_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
)

// merchantB creates a second merchant on the platform and returns its
// test-mode public and secret keys.
func (p *platform) merchantB() (pkey, skey string) {
	p.t.Helper()
	ctx := context.Background()
	acct := &kessai.Account{Email: "b@kessai.test", Country: "JP", Currency: "jpy", Team: "Shop B"}
	if err := p.Accounts.CreateAccount(ctx, acct); err != nil {
		p.t.Fatal(err)
	}
	pk, err := p.Accounts.CreateKey(ctx, acct.ID, kessai.PublicKey, false, "")
	if err != nil {
		p.t.Fatal(err)
	}
	sk, err := p.Accounts.CreateKey(ctx, acct.ID, kessai.SecretKey, false, "")
	if err != nil {
		p.t.Fatal(err)
	}
	return string(pk.Key), string(sk.Key)
}

// must sends a request that must succeed and returns its object.
func (p *platform) must(method, path, key string, body any) map[string]any {
	p.t.Helper()
	res := p.do(method, path, key, body)
	if res.Status != 200 {
		p.t.Fatalf("%s %s: %d %s", method, path, res.Status, res.Body)
	}
	return res.Object
}

// tenantObjects creates one object of every kind for the dev merchant (A)
// and returns their ids by the path segment that names their collection
// ("charges", "refunds", "customers", "cards", "tokens", "events",
// "transactions", "rules", "lists", "reviews").
func tenantObjects(p *platform) map[string]string {
	pk, sk := p.creds.PublicKey, p.creds.SecretKey
	token := func() string {
		return p.must("POST", "/tokens", pk, cardForm("4242424242424242", "12", "2031", "123"))["id"].(string)
	}
	ids := map[string]string{"tokens": token()}
	ch := p.must("POST", "/charges", sk, url.Values{"amount": {"5000"}, "currency": {"jpy"}, "card": {token()}})
	ids["charges"] = ch["id"].(string)
	ids["refunds"] = p.must("POST", "/charges/"+ids["charges"]+"/refunds", sk, url.Values{"amount": {"1000"}})["id"].(string)
	// An uncaptured charge, so that capture, reverse and expire would
	// have something to act on.
	ids["authorized"] = p.must("POST", "/charges", sk, url.Values{"amount": {"3000"}, "currency": {"jpy"},
		"card": {token()}, "capture": {"false"}})["id"].(string)
	cust := p.must("POST", "/customers", sk, url.Values{"email": {"a@shop.test"}, "card": {token()}})
	ids["customers"] = cust["id"].(string)
	ids["cards"] = cust["cards"].(map[string]any)["data"].([]any)[0].(map[string]any)["id"].(string)
	ids["events"] = p.must("GET", "/events", sk, nil)["data"].([]any)[0].(map[string]any)["id"].(string)
	ids["transactions"] = p.must("GET", "/transactions", sk, nil)["data"].([]any)[0].(map[string]any)["id"].(string)
	ids["rules"] = p.must("POST", "/fraud/rules", sk, url.Values{"rule": {"review if amount == 7777"}})["id"].(string)
	// A charge the rule holds for review: its review has the charge's id.
	held := p.must("POST", "/charges", sk, url.Values{"amount": {"7777"}, "currency": {"jpy"}, "card": {token()}})
	if held["status"] != "pending" || held["capturable"] != true {
		p.t.Fatalf("charge not held for review: %v", held)
	}
	ids["reviews"] = held["id"].(string)
	ids["lists"] = p.must("POST", "/fraud/lists", sk, url.Values{"list": {"block"}, "type": {"email"}, "value": {"fraud@evil.test"}})["id"].(string)
	return ids
}

// fillPath replaces each {wildcard} of pattern with the id of the kind the
// segment before it names, and reports false when a wildcard names a kind
// ids does not have (a new route needs an object kind in tenantObjects).
func fillPath(pattern string, ids map[string]string, charge string) (string, bool) {
	segs := strings.Split(pattern, "/")
	for i, s := range segs {
		if !strings.HasPrefix(s, "{") {
			continue
		}
		kind := segs[i-1]
		id := ids[kind]
		if kind == "charges" && charge != "" {
			id = charge
		}
		if id == "" {
			return "", false
		}
		segs[i] = id
	}
	return strings.Join(segs, "/"), true
}

// writeBody is a request body for any write route: plausible values of
// the parameters the routes take.
var writeBody = url.Values{
	"amount": {"100"}, "description": {"taken over"}, "metadata[owner]": {"mallory"}, "email": {"mallory@evil.test"},
	"enabled": {"false"}, "rule": {"allow if amount > 0"}, "capture": {"true"}, "default_card": {"card_test_x"},
	"name": {"Mallory"}, "expiration_month": {"1"}, "expiration_year": {"2040"},
}

// TestCrossTenant checks, on both dialects, every registered route with
// merchant B's keys against merchant A's objects: each route with an id
// answers 404 not_found for A's id (with B's secret key and, where the
// route takes it, B's public key), list and search routes never show A's
// ids, and afterwards each of A's objects reads exactly as before.
func TestCrossTenant(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		p := startPlatform(t, dsn)
		bpk, bsk := p.merchantB()
		ids := tenantObjects(p)
		sk := p.creds.SecretKey

		readable := map[string]string{ // A's objects as A reads them
			"/charges/" + ids["charges"]:                                "",
			"/charges/" + ids["authorized"]:                             "",
			"/charges/" + ids["charges"] + "/refunds/" + ids["refunds"]: "",
			"/customers/" + ids["customers"]:                            "",
			"/customers/" + ids["customers"] + "/cards/" + ids["cards"]: "",
			"/tokens/" + ids["tokens"]:                                  "",
			"/events/" + ids["events"]:                                  "",
			"/transactions/" + ids["transactions"]:                      "",
			"/fraud/rules/" + ids["rules"]:                              "",
			"/fraud/lists/" + ids["lists"]:                              "",
			"/fraud/reviews/" + ids["reviews"]:                          "",
		}
		// Nested lists carry "to": the time of the read; it is left out.
		listTo := regexp.MustCompile(`"to":"[^"]*"`)
		read := func(path string) string {
			res := p.do("GET", path, sk, nil)
			if res.Status != 200 {
				t.Fatalf("A reads %s: %d %s", path, res.Status, res.Body)
			}
			return listTo.ReplaceAllString(res.Body, `"to":""`)
		}
		for path := range readable {
			readable[path] = read(path)
		}

		routes := p.API.Routes()
		if len(routes) < 30 {
			t.Fatalf("only %d routes registered", len(routes))
		}
		var withID, lists int
		for _, rt := range routes {
			if rt.Anonymous {
				continue
			}
			keys := []string{bsk}
			for _, k := range rt.Keys {
				if k == kessai.PublicKey {
					keys = append(keys, bpk)
				}
			}
			if !strings.Contains(rt.Pattern, "{") {
				if rt.Method != http.MethodGet {
					continue // creating B's own objects is B's right
				}
				lists++
				for _, key := range keys {
					res := p.do("GET", rt.Pattern+"?limit=100&query="+url.QueryEscape(ids["charges"]), key, nil)
					if res.Status >= 500 {
						t.Errorf("GET %s as B: %d %s", rt.Pattern, res.Status, res.Body)
					}
					for kind, id := range ids {
						if strings.Contains(res.Body, id) {
							t.Errorf("GET %s as B shows A's %s %s", rt.Pattern, kind, id)
						}
					}
				}
				continue
			}
			charges := []string{""}
			if strings.HasPrefix(rt.Pattern, "/charges/{id}") {
				charges = append(charges, ids["authorized"])
			}
			for _, ch := range charges {
				path, ok := fillPath(rt.Pattern, ids, ch)
				if !ok {
					t.Errorf("%s %s: no object kind for its wildcard; add one to tenantObjects", rt.Method, rt.Pattern)
					continue
				}
				withID++
				for _, key := range keys {
					var body any
					if rt.Method != http.MethodGet && rt.Method != http.MethodDelete {
						body = writeBody
					}
					res := p.do(rt.Method, path, key, body)
					if res.Status != 404 || res.Object["object"] != "error" || res.Object["code"] != kessai.ENotFound {
						t.Errorf("%s %s as B (%.5s): %d %s, want 404 not_found", rt.Method, path, key, res.Status, res.Body)
					}
				}
			}
		}
		if withID < 20 || lists < 5 {
			t.Errorf("covered %d id routes and %d list routes: the route table looks wrong", withID, lists)
		}
		for path, before := range readable {
			if after := read(path); after != before {
				t.Errorf("A's %s changed after B's requests:\nbefore %s\nafter  %s", path, before, after)
			}
		}
		t.Logf("%d id routes and %d list routes checked with merchant B's keys", withID, lists)
	})
}
