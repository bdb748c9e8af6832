package app_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"testing"

	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/issuersim"
)

// TestFraudReview runs the review queue through the HTTP API against the
// issuer host: a charge a review rule matches, though it asks to be
// captured, is only authorized (a hold at the issuer, no debit); it is in
// the open queue; approving it captures it (a debit), rejecting another
// releases its hold; both leave the open queue with their reasons, with
// review.open, then charge.capture and charge.reverse events; a charge that was not held and
// bad ids are refused without changing anything.
func TestFraudReview(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		p := startPlatform(t, dsn)
		sk, pk := p.creds.SecretKey, p.creds.PublicKey
		charge := func(amount int64) map[string]any {
			t.Helper()
			res := p.do("POST", "/tokens", pk, cardForm("4242424242424242", "12", "2031", "123"))
			if res.Status != 200 {
				t.Fatalf("token: %d %s", res.Status, res.Body)
			}
			res = p.do("POST", "/charges", sk, url.Values{"amount": {fmt.Sprint(amount)}, "currency": {"jpy"},
				"card": {res.Object["id"].(string)}, "capture": {"true"}})
			if res.Status != 200 || res.Object["object"] != "charge" {
				t.Fatalf("charge: %d %s", res.Status, res.Body)
			}
			return res.Object
		}
		kinds := func(id string) []string {
			t.Helper()
			es, err := p.Issuer.Ledger(context.Background(), issuersim.LedgerQuery{Reference: id})
			if err != nil {
				t.Fatal(err)
			}
			var k []string
			for _, e := range es {
				k = append(k, e.Kind)
			}
			return k
		}
		events := func(id string) []string {
			t.Helper()
			res := p.do("GET", "/charges/"+id+"/events", sk, nil)
			var keys []string
			for _, e := range res.Object["data"].([]any) {
				keys = append(keys, e.(map[string]any)["key"].(string))
			}
			slices.Sort(keys)
			return keys
		}
		queue := func(open string) []string {
			t.Helper()
			q := ""
			if open != "" {
				q = "?open=" + open
			}
			res := p.do("GET", "/fraud/reviews"+q, sk, nil)
			if res.Status != 200 {
				t.Fatalf("reviews: %d %s", res.Status, res.Body)
			}
			var ids []string
			for _, r := range res.Object["data"].([]any) {
				rv := r.(map[string]any)
				if rv["object"] != "fraud_review" || rv["decision"].(map[string]any)["action"] != "review" {
					t.Errorf("review object: %v", rv)
				}
				ids = append(ids, rv["id"].(string))
			}
			slices.Sort(ids)
			return ids
		}

		if res := p.do("POST", "/fraud/rules", sk, url.Values{"rule": {"review if amount >= 50000"}}); res.Status != 200 {
			t.Fatalf("create rule: %d %s", res.Status, res.Body)
		}
		plain := charge(1000)
		if plain["status"] != "successful" {
			t.Fatalf("charge below the rule: %v", plain["status"])
		}
		a, b := charge(60000), charge(70000)
		for _, ch := range []map[string]any{a, b} {
			id := ch["id"].(string)
			if ch["status"] != "pending" || ch["authorized"] != true || ch["paid"] != false || ch["capture"] != false || ch["capturable"] != true {
				t.Fatalf("held charge %s: status %v authorized %v paid %v capture %v capturable %v", id,
					ch["status"], ch["authorized"], ch["paid"], ch["capture"], ch["capturable"])
			}
			if k := kinds(id); !slices.Equal(k, []string{issuersim.LedgerHold}) {
				t.Errorf("issuer ledger of the held charge %s: %v, want one hold", id, k)
			}
		}
		aID, bID := a["id"].(string), b["id"].(string)
		want := []string{aID, bID}
		slices.Sort(want)
		if got := queue(""); !slices.Equal(got, want) {
			t.Fatalf("open reviews %v, want %v", got, want)
		}
		// The review.open event carries the open review.
		res := p.do("GET", "/charges/"+aID+"/events", sk, nil)
		opened := 0
		for _, e := range res.Object["data"].([]any) {
			ev := e.(map[string]any)
			if ev["key"] != "review.open" {
				continue
			}
			opened++
			data := ev["data"].(map[string]any)
			if data["object"] != "fraud_review" || data["open"] != true || data["decision"].(map[string]any)["action"] != "review" ||
				data["charge"].(map[string]any)["id"] != aID {
				t.Errorf("review.open data: %v", data)
			}
		}
		if opened != 1 {
			t.Errorf("%d review.open events, want 1", opened)
		}
		res = p.do("GET", "/fraud/reviews/"+aID, sk, nil)
		if res.Status != 200 || res.Object["open"] != true || res.Object["closed_reason"] != nil {
			t.Fatalf("review of %s: %d %s", aID, res.Status, res.Body)
		}

		// Refusals change nothing.
		for _, c := range []struct {
			path   string
			status int
			code   string
		}{
			{"/fraud/reviews/" + plain["id"].(string) + "/approve", 404, "not_found"},
			{"/fraud/reviews/chrg_test_nope/approve", 404, "not_found"},
			{"/fraud/reviews/nope/reject", 404, "not_found"},
		} {
			res := p.do("POST", c.path, sk, nil)
			if res.Status != c.status || res.Object["object"] != "error" || res.Object["code"] != c.code {
				t.Errorf("POST %s: %d %s, want %d %s", c.path, res.Status, res.Body, c.status, c.code)
			}
		}
		if res := p.do("GET", "/fraud/reviews", pk, nil); res.Status != 401 && res.Status != 403 {
			t.Errorf("reviews with the public key: %d", res.Status)
		}

		// Approve a: captured in full, a debit at the issuer.
		res = p.do("POST", "/fraud/reviews/"+aID+"/approve", sk, nil)
		if res.Status != 200 || res.Object["open"] != false || res.Object["closed_reason"] != "approved" {
			t.Fatalf("approve: %d %s", res.Status, res.Body)
		}
		if ch := res.Object["charge"].(map[string]any); ch["status"] != "successful" || ch["paid"] != true || ch["captured_amount"] != float64(60000) {
			t.Errorf("approved charge: %v %v %v", ch["status"], ch["paid"], ch["captured_amount"])
		}
		if k := kinds(aID); !slices.Contains(k, issuersim.LedgerCapture) {
			t.Errorf("issuer ledger after approval: %v, want a capture", k)
		}
		if ev := events(aID); !slices.Equal(ev, []string{"charge.capture", "charge.create", "review.open"}) {
			t.Errorf("events of the approved charge: %v", ev)
		}
		// Approving twice fails, and changes nothing.
		if res := p.do("POST", "/fraud/reviews/"+aID+"/approve", sk, nil); res.Status != 400 || res.Object["code"] != "failed_capture" {
			t.Errorf("second approval: %d %s", res.Status, res.Body)
		}

		// Reject b: reversed, the hold released.
		res = p.do("POST", "/fraud/reviews/"+bID+"/reject", sk, nil)
		if res.Status != 200 || res.Object["closed_reason"] != "rejected" || res.Object["charge"].(map[string]any)["status"] != "reversed" {
			t.Fatalf("reject: %d %s", res.Status, res.Body)
		}
		if k := kinds(bID); !slices.Equal(k, []string{issuersim.LedgerHold, issuersim.LedgerRelease}) {
			t.Errorf("issuer ledger after rejection: %v, want hold and release", k)
		}
		if ev := events(bID); !slices.Equal(ev, []string{"charge.create", "charge.reverse", "review.open"}) {
			t.Errorf("events of the rejected charge: %v", ev)
		}

		if got := queue(""); len(got) != 0 {
			t.Errorf("open reviews after both decisions: %v", got)
		}
		if got := queue("false"); !slices.Equal(got, want) {
			t.Errorf("all reviews %v, want %v", got, want)
		}
		if res := p.do("GET", "/fraud/reviews?open=maybe", sk, nil); res.Status != 400 || res.Object["object"] != "error" {
			t.Errorf("open=maybe: %d %s", res.Status, res.Body)
		}
	})
}
