package iso8583link_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai"
	"github.com/kessai/kessai/card"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/iso8583link"
)

// TestAuthorizeTestCards runs every outcome of omise-api.md §7 through the
// link and the issuer host over TCP.
func TestAuthorizeTestCards(t *testing.T) {
	type want struct {
		code, failure, cvv string
	}
	cases := []struct {
		pans []string
		want want
	}{
		{[]string{"4242424242424242", "5555555555554444", "3530111333300000", "378282246310005", "6250947000000006"}, want{"00", "", "M"}},
		{[]string{"4111111111140011", "5555551111110011", "3530111111190011", "6250947000000014"}, want{"51", iso8583link.FailureInsufficientFund, "M"}},
		{[]string{"4111111111130012", "3530111111180012"}, want{"41", iso8583link.FailureStolenOrLostCard, ""}},
		{[]string{"5555551111100012", "6250947000000022"}, want{"43", iso8583link.FailureStolenOrLostCard, ""}},
		{[]string{"4111111111120013", "377138160000009", "6447032400001111005", "36021042111108"}, want{"96", iso8583link.FailureFailedProcessing, ""}},
		{[]string{"4111111111110014", "5555551111180014", "3530111111160014", "6250947000000048"}, want{"05", iso8583link.FailurePaymentRejected, ""}},
		{[]string{"4111111111190016", "5555551111160016", "3530111111140016", "6250947000000055"}, want{"59", iso8583link.FailureFailedFraudCheck, ""}},
		{[]string{"4111111111180017", "5555551111150017", "3530111111130017", "6250947000000063"}, want{"14", iso8583link.FailureInvalidAccountNumber, ""}},
		{[]string{"4111111111160001", "5555551111130001", "3530111111110001"}, want{"N7", iso8583link.FailureInvalidSecurityCode, "N"}},
	}
	dbtest.Run(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, nil)
		for _, tc := range cases {
			for _, pan := range tc.pans {
				res := e.authorize(e.request(pan, 100000))
				got := want{res.ResponseCode, res.FailureCode, res.SecurityCodeResult}
				if got != tc.want {
					t.Errorf("****%s: %+v, want %+v", pan[len(pan)-4:], got, tc.want)
				}
				if res.Approved != (tc.want.code == "00") || res.SecurityCodeCheck() != (tc.want.cvv == "M") {
					t.Errorf("****%s: approved %v, security code check %v", pan[len(pan)-4:], res.Approved, res.SecurityCodeCheck())
				}
				if res.NetworkRef == "" || len(res.STAN) != 6 || len(res.RRN) != 12 || res.TerminalID != "KESSAI01" {
					t.Errorf("****%s: identity %+v", pan[len(pan)-4:], res.NetworkResult)
				}
				if res.Approved && res.ApprovalCode == "" {
					t.Errorf("****%s: approved without approval code", pan[len(pan)-4:])
				}
			}
		}
		// Every request was recorded and answered.
		msgs, err := e.db.FindNetworkMessages(context.Background(), e.request("4242424242424242", 1).Reference)
		if err != nil || len(msgs) != 0 {
			t.Errorf("unused reference has records: %v %v", msgs, err)
		}
	})
}

func TestRecordsRequests(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, nil)
		req := e.request("4242424242424242", 1234)
		res := e.authorize(req)
		msgs, err := e.db.FindNetworkMessages(context.Background(), req.Reference)
		if err != nil || len(msgs) != 1 {
			t.Fatalf("records: %d, %v", len(msgs), err)
		}
		m := msgs[0]
		want := kessai.NetworkMessage{
			ID: res.NetworkRef, Reference: req.Reference, MTI: "0100", ProcessingCode: "000000", STAN: res.STAN,
			TransmittedAt: res.TransmittedAt, AcquirerID: "400001", TerminalID: "KESSAI01", MerchantID: "chant0000000001",
			RRN: res.RRN, Amount: 1234, Currency: "764", LastDigits: "4242", Status: kessai.NetworkAnswered,
			ResponseCode: "00", ApprovalCode: res.ApprovalCode, CreatedAt: m.CreatedAt, AnsweredAt: m.AnsweredAt,
		}
		if diff := cmp.Diff(want, *m); diff != "" {
			t.Errorf("record (-want +got):\n%s", diff)
		}

		// A merchant-initiated charge on a stored card, with 3-D Secure
		// data, as the issuer saw it.
		req = e.request("4242424242424242", 1)
		req.StoredCredential, req.ECI, req.CAVV = kessai.StoredCredentialMerchant, "07", "AAABBB"
		e.authorize(req)
		for _, want := range []string{"22=102", "48.02=07", "48.03=***", "48.06=M", "48.07=" + req.Reference} {
			if !strings.Contains(e.logs.String(), want) {
				t.Errorf("the issuer did not see %s", want)
			}
		}
	})
}

func TestConcurrentAuthorizations(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, func(c *iso8583link.Config) { c.STANBlock = 7 })
		const n = 120
		reqs := make([]*kessai.AuthRequest, n)
		for i := range reqs {
			reqs[i] = e.request("4111111111111111", int64(i+1))
		}
		results := make([]*kessai.AuthResult, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range reqs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = e.link.Authorize(context.Background(), reqs[i])
			}()
		}
		wg.Wait()
		stans := map[string]bool{}
		for i := range reqs {
			if errs[i] != nil {
				t.Fatalf("authorization %d: %v", i, errs[i])
			}
			if !results[i].Approved || stans[results[i].STAN] {
				t.Errorf("authorization %d: approved %v, STAN %s (seen %v)", i, results[i].Approved, results[i].STAN, stans[results[i].STAN])
			}
			stans[results[i].STAN] = true
		}
	})
}

func TestCaptureRefundReverse(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, nil)
		ctx := context.Background()
		req := e.request("5454545454545454", 10000)
		auth := e.authorize(req)

		if _, err := e.link.Capture(ctx, &kessai.NetworkCaptureRequest{Reference: req.Reference, Amount: 10001}); kessai.ErrorCode(err) != kessai.EFailedCapture {
			t.Errorf("capture over the authorization: %v", err)
		}
		cap1, err := e.link.Capture(ctx, &kessai.NetworkCaptureRequest{Reference: req.Reference, Amount: 8000})
		if err != nil || !cap1.Approved || cap1.ApprovalCode != auth.ApprovalCode || cap1.RRN != auth.RRN {
			t.Fatalf("capture: %+v, %v", cap1, err)
		}
		// Capturing again returns the recorded answer and sends nothing.
		cap2, err := e.link.Capture(ctx, &kessai.NetworkCaptureRequest{Reference: req.Reference, Amount: 8000})
		if err != nil || cap2.NetworkRef != cap1.NetworkRef {
			t.Errorf("second capture: %+v, %v", cap2, err)
		}
		ref, err := e.link.Refund(ctx, &kessai.NetworkRefundRequest{Reference: "rfnd_test_1", ChargeReference: req.Reference, Amount: 3000})
		if err != nil || !ref.Approved {
			t.Fatalf("refund: %+v, %v", ref, err)
		}
		over, err := e.link.Refund(ctx, &kessai.NetworkRefundRequest{Reference: "rfnd_test_2", ChargeReference: req.Reference, Amount: 5001})
		if err != nil || over.Approved || over.ResponseCode != "13" || over.FailureCode != iso8583link.FailurePaymentRejected {
			t.Errorf("refund past the capture: %+v, %v", over, err)
		}
		if _, err := e.link.Refund(ctx, &kessai.NetworkRefundRequest{Reference: "rfnd_test_3", ChargeReference: req.Reference, Amount: 1, Currency: "usd"}); kessai.ErrorCode(err) != kessai.EFailedRefund {
			t.Errorf("refund in another currency: %v", err)
		}
		if diff := cmp.Diff([]string{"hold 10000", "capture 8000", "release 2000"}, e.ledgerKinds(req.Reference)); diff != "" {
			t.Errorf("issuer ledger (-want +got):\n%s", diff)
		}

		// A void of another authorization, by its network reference.
		req2 := e.request("5454545454545454", 500)
		auth2 := e.authorize(req2)
		rev, err := e.link.Reverse(ctx, &kessai.NetworkReverseRequest{Reference: req2.Reference, NetworkRef: auth2.NetworkRef})
		if err != nil || !rev.Delivered || rev.ResponseCode != "00" {
			t.Fatalf("reverse: %+v, %v", rev, err)
		}
		again, err := e.link.Reverse(ctx, &kessai.NetworkReverseRequest{Reference: req2.Reference})
		if err != nil || !again.Delivered {
			t.Errorf("second reverse: %+v, %v", again, err)
		}
		if diff := cmp.Diff([]string{"hold 500", "release 500"}, e.ledgerKinds(req2.Reference)); diff != "" {
			t.Errorf("issuer ledger after void (-want +got):\n%s", diff)
		}
		if r := e.reversalOf(req2.Reference); r == nil || r.Reason != iso8583link.ReasonVoid || r.Attempts != 1 {
			t.Errorf("void record: %+v", r)
		}

		// Unknown references.
		if _, err := e.link.Capture(ctx, &kessai.NetworkCaptureRequest{Reference: "chrg_none"}); kessai.ErrorCode(err) != kessai.EFailedCapture {
			t.Errorf("capture of nothing: %v", err)
		}
		if _, err := e.link.Reverse(ctx, &kessai.NetworkReverseRequest{Reference: "chrg_none"}); kessai.ErrorCode(err) != kessai.EFailedReverse {
			t.Errorf("reverse of nothing: %v", err)
		}
		// A declined authorization cannot be captured.
		declined := e.request("4111111111110014", 100)
		e.authorize(declined)
		if _, err := e.link.Capture(ctx, &kessai.NetworkCaptureRequest{Reference: declined.Reference}); kessai.ErrorCode(err) != kessai.EFailedCapture {
			t.Errorf("capture of a decline: %v", err)
		}
	})
}

func TestInvalidRequests(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, nil)
		ctx := context.Background()
		for name, edit := range map[string]func(r *kessai.AuthRequest){
			"no card":          func(r *kessai.AuthRequest) { r.Card = card.Number{} },
			"negative amount":  func(r *kessai.AuthRequest) { r.Amount = -1 },
			"unknown currency": func(r *kessai.AuthRequest) { r.Currency = "xyz" },
			"long terminal":    func(r *kessai.AuthRequest) { r.TerminalID = "TERMINAL9" },
			"stored use":       func(r *kessai.AuthRequest) { r.StoredCredential = "sometimes" },
			"no expiry":        func(r *kessai.AuthRequest) { r.ExpirationMonth = 0 },
		} {
			req := e.request("4242424242424242", 100)
			edit(req)
			_, err := e.link.Authorize(ctx, req)
			if c := kessai.ErrorCode(err); c != kessai.EInvalidCharge && c != kessai.EInvalidAmount {
				t.Errorf("%s: %v", name, err)
			}
			if msgs, _ := e.db.FindNetworkMessages(ctx, req.Reference); len(msgs) != 0 {
				t.Errorf("%s: recorded", name)
			}
		}
	})
}

func TestUnavailable(t *testing.T) {
	db := dbtest.Open(t, dbtest.SQLiteDSN(t))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	cfg := iso8583link.Config{Addr: addr}
	fastRetries(&cfg)
	l, err := iso8583link.New(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	e := &env{t: t}
	req := e.request("4242424242424242", 100)
	_, err = l.Authorize(context.Background(), req)
	if !errors.Is(err, kessai.ErrNetworkUnavailable) || kessai.ErrorCode(err) != kessai.EUnavailable {
		t.Errorf("authorize while offline: %v", err)
	}
	if msgs, _ := db.FindNetworkMessages(context.Background(), req.Reference); len(msgs) != 0 {
		t.Errorf("recorded while offline: %d", len(msgs))
	}
	if l.Online() {
		t.Error("online with nothing to talk to")
	}
	l.Close()
	if _, err := l.Authorize(context.Background(), req); !errors.Is(err, kessai.ErrNetworkUnavailable) {
		t.Errorf("authorize after close: %v", err)
	}
	if _, err := iso8583link.New(db, iso8583link.Config{}); err == nil {
		t.Error("link without an address")
	}
}

func TestFailureCodes(t *testing.T) {
	for code, want := range map[string]string{
		"00": "", "51": "insufficient_fund", "41": "stolen_or_lost_card", "43": "stolen_or_lost_card",
		"96": "failed_processing", "91": "failed_processing", "30": "failed_processing", "05": "payment_rejected",
		"62": "payment_rejected", "59": "failed_fraud_check", "14": "invalid_account_number",
		"N7": "invalid_security_code", "54": "expired_card", "zz": "failed_processing",
	} {
		if got := iso8583link.FailureCode(code); got != want {
			t.Errorf("FailureCode(%q) = %q, want %q", code, got, want)
		}
		if want != "" && iso8583link.FailureMessage(want) == "" {
			t.Errorf("no message for %s", want)
		}
	}
}
