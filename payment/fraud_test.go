package payment_test

import (
	"context"
	"sync"
	"testing"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/payment"
	"github.com/kessai/kessai/sqlstore"
)

// fakeScreener decides by amount: above blockAbove it blocks, else allows;
// it keeps what it was asked and told.
type fakeScreener struct {
	blockAbove int64
	mu         sync.Mutex
	screened   []kessai.FraudAttributes
	outcomes   []kessai.FraudOutcome
}

func (f *fakeScreener) Screen(ctx context.Context, a *kessai.FraudAttributes) (*kessai.FraudDecision, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.screened = append(f.screened, *a)
	d := &kessai.FraudDecision{Object: "fraud_decision", Action: kessai.FraudAllow, RiskLevel: "normal"}
	if a.Amount > f.blockAbove {
		d.Action = kessai.FraudBlock
	}
	return d, nil
}

func (f *fakeScreener) Record(ctx context.Context, a *kessai.FraudAttributes, d *kessai.FraudDecision, o kessai.FraudOutcome) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.outcomes = append(f.outcomes, o)
	return nil
}

func (f *fakeScreener) AllowToken(ctx context.Context, ip string, auth *kessai.Auth) error {
	return nil
}

func TestChargeFraudScreening(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := &fakeScreener{blockAbove: 50000}
		e.svc = payment.New(payment.Config{DB: e.db, Vault: e.vault, Link: e.link, Accounts: &sqlstore.AccountService{DB: e.db}, Fraud: f})

		// Blocked: stored failed, nothing sent, token used, one event.
		ch := e.charge(t, "4242424242424242", 60000, true)
		if ch.Status != kessai.ChargeFailed || ch.FailureCode == nil || *ch.FailureCode != kessai.EFailedFraudCheck {
			t.Fatalf("blocked charge: %s %v", ch.Status, ch.FailureCode)
		}
		if calls := e.link.Calls(); len(calls) != 0 {
			t.Errorf("blocked charge reached the link: %v", calls)
		}
		if got, _ := e.svc.FindCharge(ctx, e.auth, ch.ID); got == nil || got.Status != kessai.ChargeFailed {
			t.Errorf("stored blocked charge: %+v", got)
		}
		if keys := e.eventKeys(t, ch.ID); len(keys) != 1 || keys[0] != kessai.EventChargeCreate {
			t.Errorf("events of the blocked charge: %v", keys)
		}
		tok, err := e.vault.FindToken(ctx, e.auth, ch.TokenID)
		if err != nil || !tok.Used || tok.ChargeStatus != "failed" {
			t.Errorf("token of the blocked charge: %+v %v", tok, err)
		}
		d, err := e.db.FindFraudDecision(ctx, e.auth.AccountID, false, ch.ID)
		if err != nil || d.Action != kessai.FraudBlock {
			t.Errorf("stored decision: %+v %v", d, err)
		}
		a := f.screened[0]
		if a.BIN != "424242" || a.IP != "192.0.2.1" || a.Fingerprint == "" || a.Brand != "Visa" || a.ChargeID != ch.ID {
			t.Errorf("attributes: %+v", a)
		}

		// Allowed and approved, then allowed and declined.
		if ch := e.charge(t, "4242424242424242", 5000, true); ch.Status != kessai.ChargeSuccessful {
			t.Fatalf("allowed charge: %s", ch.Status)
		}
		if ch := e.charge(t, "4111111111140011", 5000, true); ch.Status != kessai.ChargeFailed {
			t.Fatalf("declined charge: %s", ch.Status)
		}
		want := []kessai.FraudOutcome{kessai.FraudBlocked, kessai.FraudApproved, kessai.FraudDeclined}
		if len(f.outcomes) != len(want) {
			t.Fatalf("outcomes %v, want %v", f.outcomes, want)
		}
		for i := range want {
			if f.outcomes[i] != want[i] {
				t.Errorf("outcomes %v, want %v", f.outcomes, want)
			}
		}
	})
}
