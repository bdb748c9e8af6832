package app_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/issuersim"
)

// TestFaultCaptureDropped: the card company posts a capture but its
// answer is lost. The gateway must not put the charge back to authorized
// (the chaos fault suite found such charges: the card company had posted
// the money, the gateway said it was only held); it answers 503, keeps
// the capture in flight, and the recovery pass repeats the advice, which
// completes the charge once.
func TestFaultCaptureDropped(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		p := startFaultPlatform(t, dsn)
		c := apiOf(p)
		res, _ := c.do("POST", "/charges", c.skey, url.Values{
			"amount": {"2600"}, "currency": {"jpy"}, "card": {c.token("4242424242424242")}, "capture": {"false"},
		})
		id, _ := res.Object["id"].(string)
		if res.Status != 200 || res.Object["status"] != "pending" {
			t.Fatalf("charge: %d %s", res.Status, res.Body)
		}
		p.Issuer.SetFaults(issuersim.Faults{DropShare: 1, MTIs: []string{"0220"}})
		res, _ = c.do("POST", "/charges/"+id+"/capture", c.skey, url.Values{})
		p.Issuer.SetFaults(issuersim.Faults{})
		if res.Status != 503 || res.Object["code"] != "service_unavailable" {
			t.Fatalf("capture with the answer lost: %d %s", res.Status, res.Body)
		}
		// A retry meanwhile is refused: the capture is in flight.
		if res, _ = c.do("POST", "/charges/"+id+"/capture", c.skey, url.Values{}); res.Status != 400 || res.Object["code"] != "failed_capture" {
			t.Errorf("capture again while in flight: %d %s", res.Status, res.Body)
		}
		n, err := p.Payments.Recover(context.Background(), time.Now().Add(time.Second))
		if err != nil || n != 1 {
			t.Fatalf("recover: %d, %v", n, err)
		}
		res, _ = c.do("GET", "/charges/"+id, c.skey, nil)
		if res.Object["status"] != "successful" || res.Object["paid"] != true {
			t.Errorf("charge after recovery: %s", res.Body)
		}
		reconciled(t, p.DB, p.Issuer)
		if n, open := holds(t, p.Issuer, id); n != 1 || open != 2600 {
			t.Errorf("issuer took money %d times, has %d: %v", n, open, ledger(t, p.Issuer, id))
		}
	})
}
