package payment_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/payment"
	"github.com/kessai/kessai/sqlstore"
)

// request3DS asks for 3-D Secure on every charge above an amount.
type request3DS struct{ fakeScreener }

func (f *request3DS) Screen(ctx context.Context, a *kessai.FraudAttributes) (*kessai.FraudDecision, error) {
	d, _ := f.fakeScreener.Screen(ctx, a)
	d.Request3DS = a.Amount > 10000
	return d, nil
}

// TestChargeThreeDSDecision checks when a charge goes through 3-D Secure
// (the merchant's authentication=3DS, the account's policy, the fraud
// engine), that such a charge is stored pending with its authorize_uri and
// sends nothing, and that failed and timed-out authentications fail it with
// charge.complete and no network request.
func TestChargeThreeDSDecision(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		cfg := &payment.ThreeDSConfig{
			AuthorizeURL: func(id string) string { return "https://gw.example/payments/" + id + "/authorize" },
			NewTransID:   func() string { return kessai.RandomString(8) + "-0000-4000-8000-000000000000" },
			// A Thai account: 3-D Secure only when asked.
			PendingTimeout: time.Minute,
		}
		e.svc = payment.New(payment.Config{DB: e.db, Vault: e.vault, Link: e.link, Accounts: &sqlstore.AccountService{DB: e.db},
			Fraud: &request3DS{fakeScreener{blockAbove: 1 << 40}}, ThreeDS: cfg})
		ret := "https://shop.example/return"
		create := func(amount int64, returnURI, authentication string) (*kessai.Charge, error) {
			return e.svc.CreateCharge(ctx, e.auth, &kessai.ChargeInput{Amount: amount, Currency: "thb", Card: e.token(t, "4242424242424242"),
				ReturnURI: ptr(returnURI), Authentication: authentication})
		}
		sent := len(e.link.Calls())
		for _, tc := range []struct {
			name           string
			amount         int64
			returnURI, ath string
			want3DS        bool
		}{
			{"asked", 5000, ret, "3DS", true},
			{"fraud engine", 20000, ret, "", true},
			{"neither", 5000, ret, "", false},
			{"no return_uri", 20000, "", "", false},
		} {
			ch, err := create(tc.amount, tc.returnURI, tc.ath)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			got3DS := ch.AuthorizeURI != nil
			if got3DS != tc.want3DS {
				t.Errorf("%s: authorize_uri %v, want 3-D Secure %v", tc.name, ch.AuthorizeURI, tc.want3DS)
			}
			if got3DS && (ch.Status != kessai.ChargePending || ch.Authorized || *ch.Authentication != "3DS" || ch.ThreeDSecure == nil || ch.ThreeDSecure.Status != "pending") {
				t.Errorf("%s: %s authorized %v authentication %v summary %+v", tc.name, ch.Status, ch.Authorized, ch.Authentication, ch.ThreeDSecure)
			}
		}
		if n := len(e.link.Calls()) - sent; n != 4 {
			t.Errorf("network calls %d, want 4 (authorize and capture of the two charges without 3-D Secure)", n)
		}
		if _, err := create(5000, "", "3DS"); code(err) != kessai.EBadRequest {
			t.Errorf("authentication=3DS without return_uri: %v", err)
		}
		if _, err := create(5000, ret, "PASSKEY"); code(err) != kessai.EBadRequest {
			t.Errorf("authentication=PASSKEY: %v", err)
		}

		// A rejected authentication fails the charge without a request.
		ch, _ := create(5000, ret, "3DS")
		a, _, err := e.db.FindChargeAuthentication(ctx, ch.ID)
		if err != nil {
			t.Fatal(err)
		}
		stale := *a
		a.State, a.TransStatus, a.TransStatusReason = kessai.AuthRejected, "R", "11"
		before := len(e.link.Calls())
		got, err := e.svc.FinishAuthentication(ctx, a)
		if err != nil || got.Status != kessai.ChargeFailed || *got.FailureCode != "payment_rejected" || got.AuthenticatedBy != nil || got.ThreeDSecure.Status != "rejected" {
			t.Fatalf("rejected: %+v %v", got, err)
		}
		if fmt.Sprint(e.eventKeys(t, ch.ID)) != "[charge.create charge.complete]" || len(e.link.Calls()) != before {
			t.Errorf("events %v, network calls %d", e.eventKeys(t, ch.ID), len(e.link.Calls())-before)
		}
		// A second finish (a late callback) changes nothing.
		stale.State = kessai.AuthAuthenticated
		if _, err := e.svc.FinishAuthentication(ctx, &stale); code(err) != kessai.EConflict {
			t.Errorf("second finish: %v", err)
		}

		// Abandoned: the sweeper times it out after the pending timeout.
		ch, _ = create(5000, ret, "3DS")
		e.clock.Advance(2 * time.Minute)
		if n, err := e.svc.SweepAuthentications(ctx); err != nil || n < 1 {
			t.Fatalf("sweep: %d %v", n, err)
		}
		got, err = e.svc.FindCharge(ctx, e.auth, ch.ID)
		if err != nil || got.Status != kessai.ChargeFailed || *got.FailureCode != "timeout" || got.ThreeDSecure.Status != "timeout" {
			t.Errorf("abandoned: %+v %v", got, err)
		}
	})
}

// TestChargeThreeDSAccountSetting checks that the account's three_d_secure
// setting decides which charges with a return_uri are authenticated: a JPY
// account's default (required) authenticates every one; when_asked only
// those sent with authentication=3DS.
func TestChargeThreeDSAccountSetting(t *testing.T) {
	dbtestRun(t, "JP", "jpy", func(t *testing.T, e *env) {
		ctx := context.Background()
		accounts := &sqlstore.AccountService{DB: e.db}
		e.svc = payment.New(payment.Config{DB: e.db, Vault: e.vault, Link: e.link, Accounts: accounts, ThreeDS: &payment.ThreeDSConfig{
			AuthorizeURL: func(id string) string { return "https://gw.example/payments/" + id + "/authorize" },
			NewTransID:   func() string { return kessai.RandomString(8) + "-0000-4000-8000-000000000000" },
		}})
		create := func(authentication string) bool {
			t.Helper()
			ch, err := e.svc.CreateCharge(ctx, e.auth, &kessai.ChargeInput{Amount: 5000, Currency: "jpy", Card: e.token(t, "4242424242424242"),
				ReturnURI: ptr("https://shop.example/return"), Authentication: authentication})
			if err != nil {
				t.Fatal(err)
			}
			return ch.AuthorizeURI != nil
		}
		if !create("") {
			t.Errorf("JPY account by default: not authenticated")
		}
		if err := accounts.SetThreeDSecure(ctx, e.acct.ID, kessai.ThreeDSecureSettings{Mode: ptr(kessai.ThreeDSWhenAsked)}); err != nil {
			t.Fatal(err)
		}
		e.svc.ForgetAccount(e.acct.ID)
		if create("") {
			t.Errorf("when_asked: authenticated without being asked")
		}
		if !create("3DS") {
			t.Errorf("when_asked: not authenticated with authentication=3DS")
		}
	})
}
