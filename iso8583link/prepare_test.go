package iso8583link_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/iso8583link"
	"github.com/kessai/kessai/sqlstore"
)

// prepareSale prepares req as a sale (or an authorization) and stores its
// record in a transaction of the caller's, as the charge service does.
func (e *env) prepareSale(req *kessai.AuthRequest, capture bool) kessai.PreparedAuth {
	e.t.Helper()
	p, err := e.link.PrepareAuthorize(context.Background(), req, capture)
	if err != nil {
		e.t.Fatalf("prepare: %v", err)
	}
	if err := e.db.Write(context.Background(), func(tx *sqlstore.Tx) error {
		return tx.InsertNetworkMessage(p.Record())
	}); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// TestSale sends a sale (0200) prepared in the caller's transaction: one
// exchange that the issuer posts at once; the answer is recorded in the
// caller's transaction; the sale is refunded and cannot be captured again.
func TestSale(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, nil)
		ctx := context.Background()
		req := e.request("4242424242424242", 7000)
		p := e.prepareSale(req, true)
		if rec := p.Record(); rec.MTI != "0200" || rec.ProcessingCode != "000000" || rec.LastDigits != "4242" || rec.Status != kessai.NetworkPending {
			t.Errorf("prepared record: %+v", rec)
		}
		res, err := e.link.SendAuthorize(ctx, p)
		if err != nil || !res.Approved || res.ApprovalCode == "" || res.NetworkRef != p.Record().ID || res.SecurityCodeResult != "M" {
			t.Fatalf("sale: %+v, %v", res, err)
		}
		// Nothing is recorded until the caller records the answer.
		if m, err := e.db.FindNetworkMessage(ctx, res.NetworkRef); err != nil || m.Status != kessai.NetworkPending {
			t.Fatalf("record before the answer is stored: %+v, %v", m, err)
		}
		var ok bool
		if err := e.db.Write(ctx, func(tx *sqlstore.Tx) error {
			ok, err = tx.AnswerNetworkMessage(res.NetworkRef, res.ResponseCode, res.ApprovalCode)
			return err
		}); err != nil || !ok {
			t.Fatalf("record answer: %v, %v", ok, err)
		}
		if diff := cmp.Diff([]string{"capture 7000"}, e.ledgerKinds(req.Reference)); diff != "" {
			t.Errorf("issuer ledger (-want +got):\n%s", diff)
		}
		// Capturing a sale in full returns its answer and sends nothing.
		if c, err := e.link.Capture(ctx, &kessai.NetworkCaptureRequest{Reference: req.Reference}); err != nil || c.NetworkRef != res.NetworkRef || !c.Approved {
			t.Errorf("capture of a sale: %+v, %v", c, err)
		}
		if _, err := e.link.Capture(ctx, &kessai.NetworkCaptureRequest{Reference: req.Reference, Amount: 10}); kessai.ErrorCode(err) != kessai.EFailedCapture {
			t.Errorf("partial capture of a sale: %v", err)
		}
		ref, err := e.link.Refund(ctx, &kessai.NetworkRefundRequest{Reference: "rfnd_test_sale", ChargeReference: req.Reference, Amount: 2000})
		if err != nil || !ref.Approved {
			t.Fatalf("refund of a sale: %+v, %v", ref, err)
		}
		if diff := cmp.Diff([]string{"refund 2000"}, e.ledgerKinds("rfnd_test_sale")); diff != "" {
			t.Errorf("issuer ledger after refund (-want +got):\n%s", diff)
		}

		// A prepared authorization (0100) is held, as by Authorize.
		hreq := e.request("5555555555554444", 300)
		hp := e.prepareSale(hreq, false)
		hres, err := e.link.SendAuthorize(ctx, hp)
		if err != nil || !hres.Approved || hp.Record().MTI != "0100" {
			t.Fatalf("authorization: %+v, %v", hres, err)
		}
		if diff := cmp.Diff([]string{"hold 300"}, e.ledgerKinds(hreq.Reference)); diff != "" {
			t.Errorf("issuer ledger of the hold (-want +got):\n%s", diff)
		}
	})
}

// TestSaleAnswerNotRecorded is a gateway that died after sending a sale
// and before storing its outcome: the record stays pending, and a
// recovery pass (Reverse without a network reference) gives it up and
// reverses the posting. An answer recorded afterwards is refused.
func TestSaleAnswerNotRecorded(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, nil)
		ctx := context.Background()
		req := e.request("4242424242424242", 4200)
		p := e.prepareSale(req, true)
		res, err := e.link.SendAuthorize(ctx, p)
		if err != nil || !res.Approved {
			t.Fatalf("sale: %+v, %v", res, err)
		}
		if _, err := e.link.Reverse(ctx, &kessai.NetworkReverseRequest{Reference: req.Reference}); err != nil {
			t.Fatalf("recovery reverse: %v", err)
		}
		rev := e.reversalDone(req.Reference)
		if rev.Reason != iso8583link.ReasonStale || rev.ResponseCode != "00" {
			t.Errorf("reversal: %+v", rev)
		}
		if diff := cmp.Diff([]string{"capture 4200", "capture_reversal 4200"}, e.ledgerKinds(req.Reference)); diff != "" {
			t.Errorf("issuer ledger (-want +got):\n%s", diff)
		}
		var ok bool
		if err := e.db.Write(ctx, func(tx *sqlstore.Tx) error {
			ok, err = tx.AnswerNetworkMessage(res.NetworkRef, res.ResponseCode, res.ApprovalCode)
			return err
		}); err != nil || ok {
			t.Errorf("late answer recorded: %v, %v", ok, err)
		}
		if m, err := e.db.FindNetworkMessage(ctx, res.NetworkRef); err != nil || m.Status != kessai.NetworkUnanswered {
			t.Errorf("record: %+v, %v", m, err)
		}
	})
}

// TestSaleStale is the same crash found by the stale sweep alone.
func TestSaleStale(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, nil)
		req := e.request("4242424242424242", 900)
		p := e.prepareSale(req, true)
		if _, err := e.link.SendAuthorize(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		e.link.Close()
		e.link = e.startLink(func(c *iso8583link.Config) {
			c.StaleAfter = time.Hour
			c.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
		})
		if rev := e.reversalDone(req.Reference); rev.Reason != iso8583link.ReasonStale {
			t.Errorf("reason %q", rev.Reason)
		}
		if diff := cmp.Diff([]string{"capture 900", "capture_reversal 900"}, e.ledgerKinds(req.Reference)); diff != "" {
			t.Errorf("issuer ledger (-want +got):\n%s", diff)
		}
	})
}

// TestSendAuthorizeUnsent records a prepared request the link could not
// send as not sent.
func TestSendAuthorizeUnsent(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, nil)
		req := e.request("4242424242424242", 100)
		p := e.prepareSale(req, true)
		e.link.Close()
		if _, err := e.link.SendAuthorize(context.Background(), p); kessai.ErrorCode(err) != kessai.EUnavailable {
			t.Errorf("send on a closed link: %v", err)
		}
		if m, err := e.db.FindNetworkMessage(context.Background(), p.Record().ID); err != nil || m.Status != kessai.NetworkNotSent {
			t.Errorf("record: %+v, %v", m, err)
		}
		if kinds := e.ledgerKinds(req.Reference); len(kinds) != 0 {
			t.Errorf("issuer ledger: %v", kinds)
		}
	})
}
