package payment_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai"
)

func TestChargeAutoCapture(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		tok := e.token(t, "4242424242424242")
		// The charge is stored, and the token used, before the
		// authorization leaves.
		e.link.onAuthorize = func(req *kessai.AuthRequest) (*kessai.AuthResult, error) {
			stored, err := e.db.FindCharge(ctx, e.acct.ID, false, req.Reference)
			if err != nil {
				t.Errorf("charge not stored before its authorization: %v", err)
			} else if stored.Inflight != kessai.InflightAuthorize || stored.Status != kessai.ChargePending {
				t.Errorf("stored charge: inflight %q status %s", stored.Inflight, stored.Status)
			}
			if tk, err := e.vault.FindToken(ctx, e.pub, tok); err != nil || !tk.Used {
				t.Errorf("token not used before the authorization: %+v, %v", tk, err)
			}
			if req.SecurityCode.IsZero() || req.StoredCredential != kessai.StoredCredentialNone || req.Amount != 100000 || req.Currency != "thb" {
				t.Errorf("authorization request: %v", req)
			}
			return nil, nil
		}
		ch, err := e.svc.CreateCharge(ctx, e.auth, &kessai.ChargeInput{
			Amount: 100000, Currency: "THB", Card: tok, Description: ptr("order 42"), Metadata: kessai.Metadata{"order": "42"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if ch.Status != kessai.ChargeSuccessful || !ch.Paid || !ch.Authorized || ch.CapturedAmount != 100000 || ch.Net != 96094 ||
			ch.Transaction == nil || ch.Currency != "thb" || ch.Inflight != "" || !ch.Card.SecurityCodeCheck || *ch.ApprovalCode != "123456" {
			t.Errorf("charge = %+v", ch)
		}
		if diff := cmp.Diff([]string{"authorize " + ch.ID + " 100000", "capture " + ch.ID + " 100000"}, e.link.Calls()); diff != "" {
			t.Errorf("network calls (-want +got):\n%s", diff)
		}
		got, err := e.svc.FindCharge(ctx, e.auth, ch.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != kessai.ChargeSuccessful || got.Version != 2 {
			t.Errorf("stored charge: %s version %d", got.Status, got.Version)
		}
		if diff := cmp.Diff([]string{kessai.EventChargeCreate}, e.eventKeys(t, ch.ID)); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
		tk, err := e.vault.FindToken(ctx, e.pub, tok)
		if err != nil || tk.ChargeStatus != "successful" {
			t.Errorf("token charge_status = %v, %v", tk, err)
		}
		trxn, err := e.svc.FindTransaction(ctx, e.auth, *ch.Transaction)
		if err != nil || trxn.Amount != 96094 || trxn.Direction != kessai.Credit || trxn.Origin != ch.ID {
			t.Errorf("transaction = %+v, %v", trxn, err)
		}
		bal, err := e.svc.Balance(ctx, e.auth)
		if err != nil || bal.Total != 96094 || bal.Transferable != 0 || bal.Currency != "thb" {
			t.Errorf("balance = %+v, %v", bal, err)
		}

		// A used token charges nothing.
		_, err = e.svc.CreateCharge(ctx, e.auth, &kessai.ChargeInput{Amount: 100000, Currency: "thb", Card: tok})
		if code(err) != kessai.EUsedToken {
			t.Errorf("reused token: %v", err)
		}
		if l, _ := e.svc.ListCharges(ctx, e.auth, kessai.ListParams{}); l.Total != 1 {
			t.Errorf("charges = %d", l.Total)
		}
	})
}

func TestChargeDeclines(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		for number, want := range declines {
			ch := e.charge(t, number, 5000, true)
			if ch.Status != kessai.ChargeFailed || *ch.FailureCode != want || ch.FailureMessage == nil || ch.Authorized || ch.Paid || ch.Transaction != nil {
				t.Errorf("%s: charge = status %s failure %v", number, ch.Status, ch.FailureCode)
			}
			if diff := cmp.Diff([]string{kessai.EventChargeCreate}, e.eventKeys(t, ch.ID)); diff != "" {
				t.Errorf("%s: events (-want +got):\n%s", number, diff)
			}
		}
		if bal, _ := e.svc.Balance(ctx, e.auth); bal.Total != 0 {
			t.Errorf("balance after declines = %d", bal.Total)
		}
	})
}

func TestChargeValidation(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		tok := e.token(t, "4242424242424242")
		for _, tt := range []struct {
			name string
			in   kessai.ChargeInput
			want string
		}{
			{"below the Thai minimum", kessai.ChargeInput{Amount: 1999, Currency: "thb", Card: tok}, kessai.EInvalidCharge},
			{"unsupported currency", kessai.ChargeInput{Amount: 5000, Currency: "xxx", Card: tok}, kessai.EInvalidCharge},
			{"no card", kessai.ChargeInput{Amount: 5000, Currency: "thb"}, kessai.EMissingCard},
			{"not a token", kessai.ChargeInput{Amount: 5000, Currency: "thb", Card: "4242424242424242"}, kessai.EInvalidCardToken},
			{"saved card without customer", kessai.ChargeInput{Amount: 5000, Currency: "thb", Card: "card_test_1"}, kessai.EBadRequest},
			{"bad authorization type", kessai.ChargeInput{Amount: 5000, Currency: "thb", Card: tok, AuthorizationType: "later"}, kessai.EBadRequest},
			{"three webhooks", kessai.ChargeInput{Amount: 5000, Currency: "thb", Card: tok, WebhookEndpoints: []string{"https://a", "https://b", "https://c"}}, kessai.EBadRequest},
			{"plain http webhook", kessai.ChargeInput{Amount: 5000, Currency: "thb", Card: tok, WebhookEndpoints: []string{"http://a.example"}}, kessai.EBadRequest},
			{"bad ip", kessai.ChargeInput{Amount: 5000, Currency: "thb", Card: tok, IP: ptr("nope")}, kessai.EBadRequest},
			{"unknown token", kessai.ChargeInput{Amount: 5000, Currency: "thb", Card: "tokn_test_nope"}, kessai.ENotFound},
			{"unknown customer", kessai.ChargeInput{Amount: 5000, Currency: "thb", Customer: "cust_test_nope"}, kessai.ENotFound},
		} {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := e.svc.CreateCharge(ctx, e.auth, &tt.in); code(err) != tt.want {
					t.Errorf("CreateCharge = %v, want %s", err, tt.want)
				}
			})
		}
		// Bad requests used no token and sent nothing.
		if calls := e.link.Calls(); len(calls) != 0 {
			t.Errorf("network calls: %v", calls)
		}
		if tk, _ := e.vault.FindToken(ctx, e.pub, tok); tk.Used {
			t.Error("a rejected request used the token")
		}
	})
}

func TestAuthorizeThenCapture(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		ch := e.charge(t, "4242424242424242", 100000, false)
		if ch.Status != kessai.ChargePending || !ch.Authorized || ch.Paid || !ch.Capturable || !ch.Reversible || ch.Transaction != nil ||
			!ch.ExpiresAt.Equal(ch.CreatedAt.AddDate(0, 0, 7)) {
			t.Fatalf("authorized charge = %+v", ch)
		}
		if _, err := e.svc.CaptureCharge(ctx, e.auth, ch.ID, 50000); code(err) != kessai.EFailedCapture {
			t.Errorf("partial capture of a final authorization: %v", err)
		}
		got, err := e.svc.CaptureCharge(ctx, e.auth, ch.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != kessai.ChargeSuccessful || got.CapturedAmount != 100000 || got.PaidAt == nil || got.Transaction == nil || got.Inflight != "" {
			t.Errorf("captured = %+v", got)
		}
		if _, err := e.svc.CaptureCharge(ctx, e.auth, ch.ID, 0); code(err) != kessai.EFailedCapture {
			t.Errorf("second capture: %v", err)
		}
		if diff := cmp.Diff([]string{kessai.EventChargeCreate, kessai.EventChargeCapture}, e.eventKeys(t, ch.ID)); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}

		// A pre-authorization may be captured in part.
		tok := e.token(t, "5555555555554444")
		pre, err := e.svc.CreateCharge(ctx, e.auth, &kessai.ChargeInput{Amount: 100000, Currency: "thb", Card: tok, Capture: ptr(false), AuthorizationType: kessai.PreAuth})
		if err != nil {
			t.Fatal(err)
		}
		got, err = e.svc.CaptureCharge(ctx, e.auth, pre.ID, 40000)
		if err != nil {
			t.Fatal(err)
		}
		if got.CapturedAmount != 40000 || got.Amount != 100000 || got.Net != 40000-1460-102 {
			t.Errorf("partial capture: captured %d net %d", got.CapturedAmount, got.Net)
		}
		trxn, _ := e.svc.FindTransaction(ctx, e.auth, *got.Transaction)
		if trxn.Amount != got.Net {
			t.Errorf("credit %d, net %d", trxn.Amount, got.Net)
		}
		if c := e.link.Calls(); c[len(c)-1] != "capture "+pre.ID+" 40000" {
			t.Errorf("last call = %s", c[len(c)-1])
		}
	})
}

func TestReverseAndExpire(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		ch := e.charge(t, "4242424242424242", 100000, false)
		got, err := e.svc.ReverseCharge(ctx, e.auth, ch.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != kessai.ChargeReversed || !got.Reversed || got.ReversedAt == nil || got.Capturable || !got.Voided {
			t.Errorf("reversed = %+v", got)
		}
		if _, err := e.svc.CaptureCharge(ctx, e.auth, ch.ID, 0); code(err) != kessai.EFailedCapture {
			t.Errorf("capture after reverse: %v", err)
		}
		if _, err := e.svc.ReverseCharge(ctx, e.auth, ch.ID); code(err) != kessai.EFailedReverse {
			t.Errorf("reverse twice: %v", err)
		}

		ex := e.charge(t, "4242424242424242", 100000, false)
		got, err = e.svc.ExpireCharge(ctx, e.auth, ex.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != kessai.ChargeExpired || !got.Expired || got.ExpiredAt == nil {
			t.Errorf("expired = %+v", got)
		}
		if _, err := e.svc.CaptureCharge(ctx, e.auth, ex.ID, 0); code(err) != kessai.EExpiredCharge {
			t.Errorf("capture after expire: %v", err)
		}
		if _, err := e.svc.ReverseCharge(ctx, e.auth, ex.ID); code(err) != kessai.EExpiredCharge {
			t.Errorf("reverse after expire: %v", err)
		}
		if _, err := e.svc.ExpireCharge(ctx, e.auth, ex.ID); code(err) != kessai.EFailedExpire {
			t.Errorf("expire twice: %v", err)
		}
		paid := e.charge(t, "4242424242424242", 100000, true)
		if _, err := e.svc.ExpireCharge(ctx, e.auth, paid.ID); code(err) != kessai.EFailedExpire {
			t.Errorf("expire a captured charge: %v", err)
		}
		if _, err := e.svc.ReverseCharge(ctx, e.auth, paid.ID); code(err) != kessai.EFailedReverse {
			t.Errorf("reverse a captured charge: %v", err)
		}
		if diff := cmp.Diff([]string{kessai.EventChargeCreate, kessai.EventChargeReverse}, e.eventKeys(t, ch.ID)); diff != "" {
			t.Errorf("reverse events (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{kessai.EventChargeCreate, kessai.EventChargeExpire}, e.eventKeys(t, ex.ID)); diff != "" {
			t.Errorf("expire events (-want +got):\n%s", diff)
		}
	})
}

func TestExpirySweep(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		open := e.charge(t, "4242424242424242", 100000, false)
		e.clock.Advance(7*24*time.Hour - time.Minute)
		if n, err := e.svc.Sweep(ctx); err != nil || n != 0 {
			t.Fatalf("early sweep = %d, %v", n, err)
		}
		e.clock.Advance(2 * time.Minute)
		// Past expires_at the charge can no longer be captured, even before
		// the sweep.
		if _, err := e.svc.CaptureCharge(ctx, e.auth, open.ID, 0); code(err) != kessai.EExpiredCharge {
			t.Errorf("capture past expiry: %v", err)
		}
		if n, err := e.svc.Sweep(ctx); err != nil || n != 1 {
			t.Fatalf("sweep = %d, %v", n, err)
		}
		got, _ := e.svc.FindCharge(ctx, e.auth, open.ID)
		if got.Status != kessai.ChargeExpired {
			t.Errorf("after sweep: %s", got.Status)
		}
		if c := e.link.Calls(); c[len(c)-1] != "reverse "+open.ID {
			t.Errorf("last call = %s", c[len(c)-1])
		}
	})
}

func TestJapanExpiryAndLimits(t *testing.T) {
	dbtestRun(t, "JP", "jpy", func(t *testing.T, e *env) {
		ctx := context.Background()
		ch := e.charge(t, "3530111333300000", 100, false)
		if !ch.ExpiresAt.Equal(ch.CreatedAt.AddDate(0, 0, 30)) || ch.Fee != 4 || ch.FeeVat != 0 {
			t.Errorf("JPY charge: expires %v fee %d vat %d", ch.ExpiresAt, ch.Fee, ch.FeeVat)
		}
		if _, err := e.svc.CreateCharge(ctx, e.auth, &kessai.ChargeInput{Amount: 99, Currency: "jpy", Card: e.token(t, "4242424242424242")}); code(err) != kessai.EInvalidCharge {
			t.Errorf("¥99: %v", err)
		}
		e.clock.Advance(8 * 24 * time.Hour)
		if n, _ := e.svc.Sweep(ctx); n != 0 {
			t.Errorf("a Japanese authorization expired after 8 days")
		}
	})
}

func TestNetworkFailures(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.link.onAuthorize = func(*kessai.AuthRequest) (*kessai.AuthResult, error) {
			return nil, kessai.WrapError(kessai.ErrNetworkTimeout, kessai.EUnavailable, "card network did not answer")
		}
		ch := e.charge(t, "4242424242424242", 5000, true)
		if ch.Status != kessai.ChargeFailed || *ch.FailureCode != "timeout" {
			t.Errorf("timed-out charge: %s %v", ch.Status, ch.FailureCode)
		}
		e.link.onAuthorize = func(*kessai.AuthRequest) (*kessai.AuthResult, error) {
			return nil, kessai.WrapError(kessai.ErrNetworkUnavailable, kessai.EUnavailable, "card network unavailable")
		}
		ch = e.charge(t, "4242424242424242", 5000, true)
		if ch.Status != kessai.ChargeFailed || *ch.FailureCode != "failed_processing" {
			t.Errorf("charge while the network is down: %s %v", ch.Status, ch.FailureCode)
		}
		e.link.onAuthorize = nil

		// An approved authorization whose capture fails is reversed.
		e.link.onCapture = func(*kessai.NetworkCaptureRequest) (*kessai.NetworkResult, error) {
			return nil, kessai.WrapError(kessai.ErrNetworkTimeout, kessai.EUnavailable, "card network did not answer")
		}
		ch = e.charge(t, "4242424242424242", 5000, true)
		if ch.Status != kessai.ChargeFailed || *ch.FailureCode != "timeout" || ch.Authorized {
			t.Errorf("charge whose capture failed: %s %v", ch.Status, ch.FailureCode)
		}
		if c := e.link.Calls(); c[len(c)-1] != "reverse "+ch.ID {
			t.Errorf("last call = %s", c[len(c)-1])
		}

		// A /capture that could not be sent leaves the authorization
		// capturable.
		e.link.onCapture = func(*kessai.NetworkCaptureRequest) (*kessai.NetworkResult, error) {
			return nil, kessai.WrapError(kessai.ErrNetworkUnavailable, kessai.EUnavailable, "card network unavailable")
		}
		auth := e.charge(t, "4242424242424242", 5000, false)
		if _, err := e.svc.CaptureCharge(ctx, e.auth, auth.ID, 0); code(err) != kessai.EFailedCapture {
			t.Errorf("capture while the network is down: %v", err)
		}
		got, _ := e.svc.FindCharge(ctx, e.auth, auth.ID)
		if got.Inflight != "" || !got.Capturable || got.CapturedAmount != 0 {
			t.Errorf("after a capture not sent: inflight %q capturable %v captured %d", got.Inflight, got.Capturable, got.CapturedAmount)
		}
		e.link.onCapture = nil
		if got, err := e.svc.CaptureCharge(ctx, e.auth, auth.ID, 0); err != nil || !got.Paid {
			t.Errorf("retried capture: %v", err)
		}

		// A /capture whose answer timed out may have been posted: it stays
		// in flight (503), and the recovery pass completes it.
		e.link.onCapture = func(*kessai.NetworkCaptureRequest) (*kessai.NetworkResult, error) {
			return nil, kessai.WrapError(kessai.ErrNetworkTimeout, kessai.EUnavailable, "card network did not answer")
		}
		auth = e.charge(t, "4242424242424242", 5000, false)
		if _, err := e.svc.CaptureCharge(ctx, e.auth, auth.ID, 0); code(err) != kessai.EUnavailable {
			t.Errorf("capture while the network times out: %v", err)
		}
		got, _ = e.svc.FindCharge(ctx, e.auth, auth.ID)
		if got.Inflight != kessai.InflightCapture || got.CapturedAmount != 5000 {
			t.Errorf("after a capture timed out: inflight %q captured %d", got.Inflight, got.CapturedAmount)
		}
		if _, err := e.svc.CaptureCharge(ctx, e.auth, auth.ID, 0); code(err) != kessai.EFailedCapture {
			t.Errorf("capture again while in flight: %v", err)
		}
		e.link.onCapture = nil
		if n, err := e.svc.Recover(ctx, time.Now().Add(time.Second)); err != nil || n != 1 {
			t.Errorf("recover: %d, %v", n, err)
		}
		if got, _ := e.svc.FindCharge(ctx, e.auth, auth.ID); !got.Paid || got.Inflight != "" {
			t.Errorf("after recovery: paid %v inflight %q", got.Paid, got.Inflight)
		}
	})
}

func TestRecover(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		// The process dies while an authorization is out: its answer is
		// never recorded.
		crash := errors.New("crash")
		e.link.onAuthorize = func(req *kessai.AuthRequest) (*kessai.AuthResult, error) {
			e.link.holds[req.Reference] = &hold{amount: req.Amount} // the issuer approved it
			panic(crash)
		}
		tok := e.token(t, "4242424242424242")
		func() {
			defer func() {
				if r := recover(); r != crash {
					panic(r)
				}
			}()
			e.svc.CreateCharge(ctx, e.auth, &kessai.ChargeInput{Amount: 5000, Currency: "thb", Card: tok})
		}()
		e.link.onAuthorize = nil
		l, _ := e.svc.ListCharges(ctx, e.auth, kessai.ListParams{})
		lost := l.Data[0]
		if lost.Inflight != kessai.InflightAuthorize {
			t.Fatalf("lost charge: %+v", lost)
		}

		// A capture lost the same way.
		auth := e.charge(t, "4242424242424242", 5000, false)
		e.link.onCapture = func(*kessai.NetworkCaptureRequest) (*kessai.NetworkResult, error) { panic(crash) }
		func() {
			defer func() { recover() }()
			e.svc.CaptureCharge(ctx, e.auth, auth.ID, 0)
		}()
		e.link.onCapture = nil
		if got, _ := e.svc.FindCharge(ctx, e.auth, auth.ID); got.Inflight != kessai.InflightCapture || got.CapturedAmount != 5000 {
			t.Fatalf("lost capture: inflight %q captured %d", got.Inflight, got.CapturedAmount)
		}

		// Operations younger than the cut-off are left alone.
		if n, err := e.svc.Recover(ctx, lost.InflightAt.Add(-time.Second)); err != nil || n != 0 {
			t.Fatalf("early recovery = %d, %v", n, err)
		}
		n, err := e.svc.Recover(ctx, e.clock.Now().Add(time.Second))
		if err != nil || n != 2 {
			t.Fatalf("recovery = %d, %v", n, err)
		}
		got, _ := e.svc.FindCharge(ctx, e.auth, lost.ID)
		if got.Status != kessai.ChargeFailed || *got.FailureCode != "timeout" || got.Inflight != "" {
			t.Errorf("recovered authorization: %s %v", got.Status, got.FailureCode)
		}
		if !e.link.holds[lost.ID].reversed {
			t.Error("the lost authorization was not reversed")
		}
		if diff := cmp.Diff([]string{kessai.EventChargeCreate}, e.eventKeys(t, lost.ID)); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
		if tk, _ := e.vault.FindToken(ctx, e.pub, tok); tk.ChargeStatus != "failed" {
			t.Errorf("token charge_status = %s", tk.ChargeStatus)
		}
		got, _ = e.svc.FindCharge(ctx, e.auth, auth.ID)
		if got.Status != kessai.ChargeSuccessful || got.CapturedAmount != 5000 {
			t.Errorf("recovered capture: %s %d", got.Status, got.CapturedAmount)
		}
		if n, _ := e.svc.Recover(ctx, e.clock.Now().Add(time.Second)); n != 0 {
			t.Errorf("second recovery settled %d", n)
		}
	})
}
