package app_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/issuersim"
)

// TestFraudScreening runs the fraud engine through the platform: a charge a
// rule blocks fails with failed_fraud_check and never reaches the issuer, an
// ordinary charge still succeeds, both decisions are stored, and card
// testing through declines trips the token guard.
func TestFraudScreening(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		p := startPlatform(t, dsn)
		sk, pk := p.creds.SecretKey, p.creds.PublicKey
		token := func(number string) string {
			t.Helper()
			res := p.do("POST", "/tokens", pk, cardForm(number, "12", "2031", "123"))
			if res.Status != 200 {
				t.Fatalf("token: %d %s", res.Status, res.Body)
			}
			return res.Object["id"].(string)
		}
		charge := func(tok string, amount int64) map[string]any {
			t.Helper()
			res := p.do("POST", "/charges", sk, url.Values{"amount": {fmt.Sprint(amount)}, "currency": {"jpy"}, "card": {tok}})
			if res.Status != 200 || res.Object["object"] != "charge" {
				t.Fatalf("charge: %d %s", res.Status, res.Body)
			}
			return res.Object
		}
		issuerEntries := func(id string) int {
			t.Helper()
			es, err := p.Issuer.Ledger(context.Background(), issuersim.LedgerQuery{Reference: id})
			if err != nil {
				t.Fatal(err)
			}
			return len(es)
		}

		res := p.do("POST", "/fraud/rules", sk, url.Values{"rule": {"block if amount > 500000"}, "description": {"too large"}})
		if res.Status != 200 {
			t.Fatalf("create rule: %d %s", res.Status, res.Body)
		}
		ruleID := res.Object["id"].(string)

		// Blocked by the rule: failed, no network request, token used.
		tok := token("4242424242424242")
		ch := charge(tok, 600000)
		id := ch["id"].(string)
		if ch["status"] != "failed" || ch["failure_code"] != "failed_fraud_check" {
			t.Fatalf("large charge: status %v failure %v, want failed failed_fraud_check", ch["status"], ch["failure_code"])
		}
		if n := issuerEntries(id); n != 0 {
			t.Errorf("the issuer saw the blocked charge: %d ledger entries", n)
		}
		var msgs int
		if err := p.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM network_messages WHERE reference = $1`, id).Scan(&msgs); err != nil {
			t.Fatal(err)
		}
		if msgs != 0 {
			t.Errorf("blocked charge has %d network messages", msgs)
		}
		if res := p.do("GET", "/tokens/"+tok, pk, nil); res.Object["used"] != true || res.Object["charge_status"] != "failed" {
			t.Errorf("token after the blocked charge: %s", res.Body)
		}
		apiOf(p).settledOnce(id, "failed", "failed_fraud_check") // one charge.create event
		res = p.do("GET", "/charges/"+id+"/fraud", sk, nil)
		if res.Status != 200 || res.Object["action"] != "block" {
			t.Fatalf("decision of the blocked charge: %d %s", res.Status, res.Body)
		}
		if rules, _ := res.Object["rules"].([]any); len(rules) == 0 || rules[0].(map[string]any)["id"] != ruleID {
			t.Errorf("decision rules = %v, want %s", res.Object["rules"], ruleID)
		}

		// Allowed: sent and approved, decision stored.
		ch = charge(token("4242424242424242"), 1000)
		id = ch["id"].(string)
		if ch["status"] != "successful" {
			t.Fatalf("small charge: %v %v", ch["status"], ch["failure_code"])
		}
		if n := issuerEntries(id); n == 0 {
			t.Errorf("the issuer never saw the allowed charge")
		}
		if res := p.do("GET", "/charges/"+id+"/fraud", sk, nil); res.Status != 200 || res.Object["action"] != "allow" {
			t.Errorf("decision of the allowed charge: %d %s", res.Status, res.Body)
		}

		// A block-list entry for the card's fingerprint.
		fp := ch["card"].(map[string]any)["fingerprint"].(string)
		if res := p.do("POST", "/fraud/lists", sk, url.Values{"list": {"block"}, "type": {"card_fingerprint"}, "value": {fp}}); res.Status != 200 {
			t.Fatalf("block list: %d %s", res.Status, res.Body)
		}
		ch = charge(token("4242424242424242"), 1000)
		if ch["status"] != "failed" || ch["failure_code"] != "failed_fraud_check" {
			t.Errorf("block-listed card: %v %v", ch["status"], ch["failure_code"])
		}
		if n := issuerEntries(ch["id"].(string)); n != 0 {
			t.Errorf("the issuer saw the block-listed charge")
		}
	})
}

// TestFraudCardTesting declines charges of tokens made from one address
// until token creation from it is refused with 429.
func TestFraudCardTesting(t *testing.T) {
	p := startPlatform(t, dbtest.SQLiteDSN(t))
	sk, pk := p.creds.SecretKey, p.creds.PublicKey
	for i := range 20 {
		res := p.do("POST", "/tokens", pk, cardForm("4111111111140011", "12", "2031", "123"))
		if res.Status == 429 {
			if res.Object["object"] != "error" || res.Object["code"] != "too_many_requests" {
				t.Fatalf("refused token: %s", res.Body)
			}
			if i < 5 {
				t.Fatalf("token refused after only %d declines", i)
			}
			return
		}
		if res.Status != 200 {
			t.Fatalf("token %d: %d %s", i, res.Status, res.Body)
		}
		res = p.do("POST", "/charges", sk, url.Values{"amount": {"100"}, "currency": {"jpy"}, "card": {res.Object["id"].(string)}})
		if res.Status != 200 || res.Object["status"] != "failed" {
			t.Fatalf("charge %d: %d %s", i, res.Status, res.Body)
		}
	}
	t.Fatal("token creation never refused after 20 declines from one address")
}
