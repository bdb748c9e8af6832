package e2e_test

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/iso8583link"
	"github.com/kessai/kessai/issuersim"
	"github.com/omise/omise-go"
	"github.com/omise/omise-go/operations"
)

// ledger returns the issuer's ledger entries of a reference as "kind
// amount".
func (s *stack) ledger(t *testing.T, ref string) []string {
	t.Helper()
	entries, err := s.issuer.Ledger(context.Background(), issuersim.LedgerQuery{Reference: ref})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Kind+" "+strconv.FormatInt(e.Amount, 10))
	}
	return out
}

// messages returns the MTI and status of a charge's network records.
func (s *stack) messages(t *testing.T, ref string) []string {
	t.Helper()
	msgs, err := s.db.FindNetworkMessages(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		out = append(out, m.MTI+" "+m.Status+" "+m.ResponseCode)
	}
	return out
}

// TestChargeIsOneSale checks that a charge captured at once is one sale
// (0200) on the network, recorded and answered with the charge, and can be
// refunded; a charge authorized only is a 0100 and its capture a 0220.
func TestChargeIsOneSale(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		s := newStack(t, dsn)
		ch := &omise.Charge{}
		if err := s.client.Do(ch, &operations.CreateCharge{Amount: 10000, Currency: "thb", Card: s.token(t, "4242424242424242")}); err != nil {
			t.Fatal(err)
		}
		if ch.Status != omise.ChargeSuccessful || !ch.Paid || !ch.Card.SecurityCodeCheck {
			t.Fatalf("charge: %+v", ch)
		}
		if got, want := s.messages(t, ch.ID), []string{"0200 answered 00"}; !slices.Equal(got, want) {
			t.Errorf("network records %v, want %v", got, want)
		}
		if got, want := s.ledger(t, ch.ID), []string{"capture 10000"}; !slices.Equal(got, want) {
			t.Errorf("issuer ledger %v, want %v", got, want)
		}
		if err := s.client.Do(&omise.Refund{}, &operations.CreateRefund{ChargeID: ch.ID, Amount: 4000}); err != nil {
			t.Errorf("refund of a sale: %v", err)
		}

		auth := &omise.Charge{}
		if err := s.client.Do(auth, &operations.CreateCharge{Amount: 5000, Currency: "thb", Card: s.token(t, "4242424242424242"), DontCapture: true}); err != nil {
			t.Fatal(err)
		}
		if err := s.client.Do(auth, &operations.CaptureCharge{ChargeID: auth.ID}); err != nil || auth.Status != omise.ChargeSuccessful {
			t.Fatalf("capture: %+v, %v", auth, err)
		}
		if got, want := s.messages(t, auth.ID), []string{"0100 answered 00", "0220 answered 00"}; !slices.Equal(got, want) {
			t.Errorf("network records %v, want %v", got, want)
		}

		declined := &omise.Charge{}
		if err := s.client.Do(declined, &operations.CreateCharge{Amount: 5000, Currency: "thb", Card: s.token(t, "4111111111140011")}); err != nil {
			t.Fatal(err)
		}
		if declined.Status != omise.ChargeFailed || s.messages(t, declined.ID)[0] != "0200 answered 51" {
			t.Errorf("declined sale: %s, %v", declined.Status, s.messages(t, declined.ID))
		}
		if n, err := s.svc.Recover(context.Background(), time.Now().Add(time.Minute)); err != nil || n != 0 {
			t.Errorf("recovery after a clean run = %d, %v", n, err)
		}
	})
}

// stuckLink sends sales and then hangs, as a gateway that died before
// storing the outcome.
type stuckLink struct {
	*iso8583link.Link
	once    sync.Once
	sent    chan struct{}
	release chan struct{}
}

func (l *stuckLink) SendAuthorize(ctx context.Context, p kessai.PreparedAuth) (*kessai.AuthResult, error) {
	res, err := l.Link.SendAuthorize(ctx, p)
	l.once.Do(func() { close(l.sent) })
	<-l.release
	return res, err
}

// TestSaleLostOutcome is a sale sent whose outcome was never stored: the
// recovery pass fails the charge and reverses the issuer's posting, and
// the answer that comes back afterwards is not used.
func TestSaleLostOutcome(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		stuck := &stuckLink{sent: make(chan struct{}), release: make(chan struct{})}
		s := newStackWith(t, dsn, func(l *iso8583link.Link) kessai.NetworkLink {
			stuck.Link = l
			return stuck
		})
		tok := s.token(t, "4242424242424242")
		type outcome struct {
			ch  *omise.Charge
			err error
		}
		done := make(chan outcome, 1)
		go func() {
			ch := &omise.Charge{}
			err := s.client.Do(ch, &operations.CreateCharge{Amount: 3000, Currency: "thb", Card: tok})
			done <- outcome{ch, err}
		}()
		select {
		case <-stuck.sent:
		case <-time.After(30 * time.Second): // a bound on the wait, not an assertion
			t.Fatal("the sale was not sent")
		}
		ctx := context.Background()
		inflight, err := s.db.InflightCharges(ctx, time.Now().Add(time.Minute), 10)
		if err != nil || len(inflight) != 1 {
			t.Fatalf("charges in flight: %v, %v", inflight, err)
		}
		id := inflight[0].ID
		if got, want := s.messages(t, id), []string{"0200 pending "}; !slices.Equal(got, want) {
			t.Errorf("network records %v, want %v", got, want)
		}
		if n, err := s.svc.Recover(ctx, time.Now().Add(time.Minute)); err != nil || n != 1 {
			t.Fatalf("recover = %d, %v", n, err)
		}
		ch, err := s.db.FindCharge(ctx, inflight[0].AccountID, false, id)
		if err != nil || ch.Status != kessai.ChargeFailed || ch.FailureCode == nil || *ch.FailureCode != "timeout" {
			t.Fatalf("recovered charge: %+v, %v", ch, err)
		}
		want := []string{"capture 3000", "capture_reversal 3000"}
		for end := time.Now().Add(30 * time.Second); !slices.Equal(s.ledger(t, id), want); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("issuer ledger %v, want %v", s.ledger(t, id), want)
			}
		}
		close(stuck.release)
		o := <-done
		if o.err != nil || o.ch.Status != omise.ChargeFailed || o.ch.FailureCode == nil || *o.ch.FailureCode != "timeout" {
			t.Errorf("the charge's own answer: %+v, %v", o.ch, o.err)
		}
		if got, want := s.messages(t, id), []string{"0200 unanswered "}; !slices.Equal(got, want) {
			t.Errorf("network records %v, want %v", got, want)
		}
	})
}
