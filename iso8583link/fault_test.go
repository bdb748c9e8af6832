package iso8583link_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/iso8583link"
	"github.com/kessai/kessai/issuersim"
	"github.com/kessai/kessai/sqlstore"
)

// shortCall returns a context for a call whose answer the host holds back
// (longer than this, or for good): the call gives up at its deadline.
func shortCall(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	t.Cleanup(cancel)
	return ctx
}

// shortTimeout makes every request of a link give up quickly, for tests
// where retries (not the caller) face a silent host.
func shortTimeout(c *iso8583link.Config) { c.Timeout = 300 * time.Millisecond }

// expectTimeout authorizes req and checks that it failed with a timeout.
func (e *env) expectTimeout(req *kessai.AuthRequest) {
	e.t.Helper()
	res, err := e.link.Authorize(shortCall(e.t), req)
	if !errors.Is(err, kessai.ErrNetworkTimeout) || kessai.ErrorCode(err) != kessai.EUnavailable {
		e.t.Fatalf("authorize = %+v, %v; want a network timeout", res, err)
	}
	msgs, err := e.db.FindNetworkMessages(context.Background(), req.Reference)
	if err != nil || len(msgs) != 1 || msgs[0].Status != kessai.NetworkUnanswered {
		e.t.Fatalf("record after timeout: %+v, %v", msgs, err)
	}
}

// reversalDone waits until the reference's reversal is acknowledged.
func (e *env) reversalDone(ref string) *kessai.NetworkReversal {
	e.t.Helper()
	var rev *kessai.NetworkReversal
	eventually(e.t, "reversal of "+ref+" acknowledged", func() bool {
		rev = e.reversalOf(ref)
		return rev != nil && rev.Status == kessai.ReversalDone
	})
	return rev
}

func TestLatencyPastTimeout(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, nil)
		// The host sits on authorizations for longer than the caller waits.
		e.issuer.SetFaults(issuersim.Faults{Latency: 4 * time.Second, MTIs: []string{"0100"}})
		req := e.request("4242424242424242", 2500)
		e.expectTimeout(req)
		rev := e.reversalDone(req.Reference)
		if rev.Reason != iso8583link.ReasonTimeout || rev.ResponseCode != "00" {
			t.Errorf("reversal: %+v", rev)
		}
		// The reversal overtook its original: the host remembered it and
		// declines the original when it gets to it; its late answer is
		// only logged.
		eventually(t, "late answer logged", func() bool { return strings.Contains(e.logs.String(), "late answer") })
		if held := e.netHold(req.Reference); held != 0 {
			t.Errorf("issuer still holds %d", held)
		}
		e.issuer.SetFaults(issuersim.Faults{})
		if res := e.authorize(e.request("4242424242424242", 1)); !res.Approved {
			t.Errorf("after the fault: %s", res.ResponseCode)
		}
	})
}

func TestDroppedAnswer(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, nil)
		e.issuer.SetFaults(issuersim.Faults{DropShare: 1, MTIs: []string{"0100"}})
		req := e.request("5555555555554444", 4200)
		e.expectTimeout(req)
		e.reversalDone(req.Reference)
		// The host did hold the amount; the reversal released it.
		if diff := cmp.Diff([]string{"hold 4200", "release 4200"}, e.ledgerKinds(req.Reference)); diff != "" {
			t.Errorf("issuer ledger (-want +got):\n%s", diff)
		}
	})
}

func TestDisconnectInFlight(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, nil) // the loss is seen at once, whatever the timeout
		e.issuer.SetFaults(issuersim.Faults{DisconnectShare: 1, MTIs: []string{"0100"}})
		req := e.request("3530111333300000", 900)
		e.expectTimeout(req)
		rev := e.reversalDone(req.Reference)
		if rev.Reason != iso8583link.ReasonConnectionLost {
			t.Errorf("reason %q", rev.Reason)
		}
		if diff := cmp.Diff([]string{"hold 900", "release 900"}, e.ledgerKinds(req.Reference)); diff != "" {
			t.Errorf("issuer ledger (-want +got):\n%s", diff)
		}
		e.issuer.SetFaults(issuersim.Faults{})
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		defer cancel()
		if err := e.link.WaitOnline(ctx); err != nil {
			t.Fatal(err)
		}
		if res := e.authorize(e.request("3530111333300000", 1)); !res.Approved {
			t.Errorf("after reconnecting: %s", res.ResponseCode)
		}
	})
}

func TestReconnect(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, nil)
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		defer cancel()

		e.issuer.DisconnectAll()
		eventually(t, "reconnected after a drop", func() bool {
			res, err := e.link.Authorize(ctx, e.request("4242424242424242", 1))
			return err == nil && res.Approved
		})

		// The host goes away: requests fail fast, then it comes back on
		// the same address and database.
		addr := e.issuer.Addr()
		e.issuer.Close()
		eventually(t, "link offline", func() bool { return !e.link.Online() })
		if _, err := e.link.Authorize(ctx, e.request("4242424242424242", 1)); !errors.Is(err, kessai.ErrNetworkUnavailable) {
			t.Errorf("authorize with the host down: %v", err)
		}
		is, err := issuersim.New(issuersim.Config{DSN: e.issuerDSN(t), Logger: e.log})
		if err != nil {
			t.Fatal(err)
		}
		if err := is.Start(ctx, addr); err != nil {
			t.Fatal(err)
		}
		defer is.Close()
		if err := e.link.WaitOnline(ctx); err != nil {
			t.Fatal(err)
		}
		if res := e.authorize(e.request("4242424242424242", 1)); !res.Approved {
			t.Errorf("after the host's restart: %s", res.ResponseCode)
		}
	})
}

func TestReversalQueueSurvivesRestart(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, shortTimeout)
		// Neither the authorization nor its reversals are answered.
		e.issuer.SetFaults(issuersim.Faults{DropShare: 1, MTIs: []string{"0100", "0400"}})
		req := e.request("6250947000000006", 777)
		e.expectTimeout(req)
		eventually(t, "reversal repeated", func() bool {
			r := e.reversalOf(req.Reference)
			return r != nil && r.Attempts >= 2
		})
		e.link.Close()
		rev := e.reversalOf(req.Reference)
		if rev.Status != kessai.ReversalQueued {
			t.Fatalf("after close: %+v", rev)
		}

		e.issuer.SetFaults(issuersim.Faults{})
		e.link = e.startLink(shortTimeout)
		rev = e.reversalDone(req.Reference)
		if rev.Attempts < 3 {
			t.Errorf("attempts = %d, want the new link's repeat after the old link's", rev.Attempts)
		}
		if diff := cmp.Diff([]string{"hold 777", "release 777"}, e.ledgerKinds(req.Reference)); diff != "" {
			t.Errorf("issuer ledger (-want +got):\n%s", diff)
		}
	})
}

// TestStaleSweep leaves a pending record as a crashed node would and
// checks that a link reverses it.
func TestStaleSweep(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, nil)
		e.link.Close()
		rec := &kessai.NetworkMessage{
			Reference: "chrg_test_crashed", MTI: "0100", ProcessingCode: "000000", STAN: "999001",
			TransmittedAt: time.Now().UTC().Truncate(time.Second), AcquirerID: "400001", TerminalID: "KESSAI01",
			MerchantID: "M", RRN: "600000999001", Amount: 10, Currency: "764", LastDigits: "4242",
		}
		if err := e.db.CreateNetworkMessage(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		// A link whose clock is two hours on sees the record as stale.
		e.link = e.startLink(func(c *iso8583link.Config) {
			c.StaleAfter = time.Hour
			c.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
		})
		rev := e.reversalDone(rec.Reference)
		if rev.Reason != iso8583link.ReasonStale {
			t.Errorf("reason %q", rev.Reason)
		}
		got, err := e.db.FindNetworkMessage(context.Background(), rec.ID)
		if err != nil || got.Status != kessai.NetworkUnanswered {
			t.Errorf("record: %+v, %v", got, err)
		}
	})
}

func TestCaptureRepeat(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, nil)
		ctx := context.Background()
		req := e.request("4111111111111111", 3000)
		e.authorize(req)
		e.issuer.SetFaults(issuersim.Faults{DropShare: 1, MTIs: []string{"0220"}})
		if _, err := e.link.Capture(shortCall(t), &kessai.NetworkCaptureRequest{Reference: req.Reference}); !errors.Is(err, kessai.ErrNetworkTimeout) {
			t.Fatalf("capture with the answer dropped: %v", err)
		}
		e.issuer.SetFaults(issuersim.Faults{})
		res, err := e.link.Capture(ctx, &kessai.NetworkCaptureRequest{Reference: req.Reference})
		if err != nil || !res.Approved {
			t.Fatalf("capture again: %+v, %v", res, err)
		}
		msgs, _ := e.db.FindNetworkMessages(ctx, req.Reference)
		var mtis []string
		for _, m := range msgs {
			mtis = append(mtis, m.MTI+" "+m.STAN)
		}
		if len(msgs) != 3 || msgs[1].STAN != msgs[2].STAN || msgs[2].MTI != "0221" {
			t.Errorf("requests sent: %v, want 0100, 0220 and its 0221 repeat", mtis)
		}
		// No reversal for an advice, and one capture at the issuer.
		if r := e.reversalOf(req.Reference); r != nil {
			t.Errorf("capture reversed: %+v", r)
		}
		if diff := cmp.Diff([]string{"hold 3000", "capture 3000"}, e.ledgerKinds(req.Reference)); diff != "" {
			t.Errorf("issuer ledger (-want +got):\n%s", diff)
		}
	})
}

// TestCaptureRepeatAfterCrash: an advice sent just before the gateway
// died has no answer recorded (its record is still pending) though the
// issuer posted it. Capturing again at recovery must repeat that advice
// (0221, same identity), which the issuer answers as before, not send a
// new 0220 that the issuer declines as a second capture (the chaos crash
// suite found charges left authorized whose capture the issuer had
// posted).
func TestCaptureRepeatAfterCrash(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, nil)
		ctx := context.Background()
		req := e.request("4111111111111111", 2500)
		e.authorize(req)
		if _, err := e.link.Capture(ctx, &kessai.NetworkCaptureRequest{Reference: req.Reference}); err != nil {
			t.Fatal(err)
		}
		// As a crash between sending the advice and recording its answer
		// leaves it.
		msgs, _ := e.db.FindNetworkMessages(ctx, req.Reference)
		if len(msgs) != 2 || msgs[1].MTI != "0220" {
			t.Fatalf("requests: %+v", msgs)
		}
		err := e.db.Write(ctx, func(tx *sqlstore.Tx) error {
			_, err := tx.Exec(`UPDATE network_messages SET status = 'pending', response_code = '', approval_code = '' WHERE id = $1`, msgs[1].ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.link.Capture(ctx, &kessai.NetworkCaptureRequest{Reference: req.Reference})
		if err != nil || !res.Approved {
			t.Fatalf("capture at recovery: %+v, %v", res, err)
		}
		msgs, _ = e.db.FindNetworkMessages(ctx, req.Reference)
		if len(msgs) != 3 || msgs[2].MTI != "0221" || msgs[2].STAN != msgs[1].STAN {
			var mtis []string
			for _, m := range msgs {
				mtis = append(mtis, m.MTI+" "+m.STAN)
			}
			t.Errorf("requests sent: %v, want 0100, 0220 and its 0221 repeat", mtis)
		}
		if diff := cmp.Diff([]string{"hold 2500", "capture 2500"}, e.ledgerKinds(req.Reference)); diff != "" {
			t.Errorf("issuer ledger (-want +got):\n%s", diff)
		}
	})
}

func TestRefundTimeout(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, nil)
		ctx := context.Background()
		req := e.request("5454545454545454", 1000)
		e.authorize(req)
		if _, err := e.link.Capture(ctx, &kessai.NetworkCaptureRequest{Reference: req.Reference}); err != nil {
			t.Fatal(err)
		}
		e.issuer.SetFaults(issuersim.Faults{DropShare: 1, MTIs: []string{"0200"}})
		_, err := e.link.Refund(shortCall(t), &kessai.NetworkRefundRequest{Reference: "rfnd_test_timeout", ChargeReference: req.Reference, Amount: 400})
		if !errors.Is(err, kessai.ErrNetworkTimeout) {
			t.Fatalf("refund with the answer dropped: %v", err)
		}
		e.reversalDone("rfnd_test_timeout")
		if diff := cmp.Diff([]string{"refund 400", "refund_reversal 400"}, e.ledgerKinds("rfnd_test_timeout")); diff != "" {
			t.Errorf("issuer ledger (-want +got):\n%s", diff)
		}
	})
}

func TestEcho(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, func(c *iso8583link.Config) { c.EchoInterval = 20 * time.Millisecond })
		eventually(t, "echo answered", func() bool { return strings.Contains(e.logs.String(), "70=301") })
		if !e.link.Online() {
			t.Error("offline after echoes")
		}
	})
}
