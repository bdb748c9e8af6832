package bench_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai/bench"
)

// TestChargeScenarios runs each charge scenario against the stand-in and
// checks that every iteration succeeded and sent exactly the requests it
// should, with valid parameters.
func TestChargeScenarios(t *testing.T) {
	const n = 100
	tests := []struct {
		sc   bench.Scenario
		want map[string]int64 // requests by op
	}{
		{bench.Charges(bench.ChargeOptions{}), map[string]int64{opToken: n, opChargeCard: n}},
		{bench.ChargesAuth(bench.ChargeOptions{}), map[string]int64{opToken: n, opChargeAuth: n}},
		{bench.Capture(bench.ChargeOptions{}), map[string]int64{opToken: n, opChargeAuth: n, opCapture: n}},
		{bench.Refunds(bench.ChargeOptions{}), map[string]int64{opToken: n, opChargeCard: n, opRefund: n}},
		{bench.Customers(bench.ChargeOptions{}), map[string]int64{
			opToken: 16, opCustomer: 16, opChargeCustomer: n, opDeleteCustomer: 16,
		}},
		{bench.Customers(bench.ChargeOptions{Customers: 3}), map[string]int64{
			opToken: 3, opCustomer: 3, opChargeCustomer: n, opDeleteCustomer: 3,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.sc.Name(), func(t *testing.T) {
			srv, url := newAPIServer(t, nil)
			res := mustRun(t, bench.Config{
				BaseURL: url, PublicKey: pkey, SecretKey: skey, Scenario: tt.sc, Concurrency: 4, Requests: n,
			})
			if res.OK != n || res.Errors != 0 || res.Scenario != tt.sc.Name() {
				t.Errorf("%s: ok %d, errors %d %v", res.Scenario, res.OK, res.Errors, res.ErrorSamples)
			}
			counts, invalid, _ := srv.state()
			if diff := cmp.Diff(tt.want, counts); diff != "" {
				t.Errorf("requests by op (-want +got):\n%s", diff)
			}
			if len(invalid) > 0 {
				t.Errorf("%d invalid requests, first: %s", len(invalid), invalid[0])
			}
		})
	}
}

// TestChargeOptions checks the amounts and currencies sent, with their
// defaults.
func TestChargeOptions(t *testing.T) {
	tests := []struct {
		opts bench.ChargeOptions
		want []string // "amount currency" of the charge, then "refund amount"
	}{
		{bench.ChargeOptions{}, []string{"1000 jpy", "refund 500"}},
		{bench.ChargeOptions{Currency: "JPY"}, []string{"1000 JPY", "refund 500"}},
		{bench.ChargeOptions{Currency: "thb"}, []string{"100000 thb", "refund 50000"}},
		{bench.ChargeOptions{Amount: 2001, Currency: "thb"}, []string{"2001 thb", "refund 1000"}},
		{bench.ChargeOptions{Amount: 1}, []string{"1 jpy", "refund 1"}},
	}
	for _, tt := range tests {
		srv, url := newAPIServer(t, nil)
		res := mustRun(t, bench.Config{BaseURL: url, PublicKey: pkey, SecretKey: skey, Scenario: bench.Refunds(tt.opts), Requests: 1})
		if res.OK != 1 {
			t.Errorf("%+v: errors %v", tt.opts, res.ErrorSamples)
		}
		if _, _, amounts := srv.state(); !cmp.Equal(tt.want, amounts) {
			t.Errorf("%+v: sent %q, want %q", tt.opts, amounts, tt.want)
		}
	}
}

// TestChargeDeclines declines some charges and fails some requests, and
// checks the counts by kind against a simulation of the same outcomes.
func TestChargeDeclines(t *testing.T) {
	tokenFails := func(n int64) bool { return n%10 == 0 }
	chargeFails := func(n int64) bool { return n%7 == 0 }
	decline := func(n int64) string {
		switch {
		case n%5 == 0:
			return "insufficient_fund"
		case n%9 == 0:
			return "stolen_or_lost_card"
		}
		return ""
	}
	const total = 200
	want := map[string]int64{}
	var wantOK, tokN, chN, created int64
	for range total {
		if tokN++; tokenFails(tokN) {
			want["http 500"]++
			continue
		}
		if chN++; chargeFails(chN) {
			want["http 400 invalid_charge"]++
			continue
		}
		if created++; decline(created) != "" {
			want["charge failed "+decline(created)]++
			continue
		}
		wantOK++
	}

	srv, url := newAPIServer(t, &apiServer{
		decline: decline,
		fault: func(op string, n int64, w http.ResponseWriter, _ *http.Request) bool {
			switch {
			case op == opToken && tokenFails(n):
				http.Error(w, "boom", http.StatusInternalServerError)
			case op == opChargeCard && chargeFails(n):
				writeError(w, http.StatusBadRequest, "invalid_charge", "currency is currently not supported")
			default:
				return false
			}
			return true
		},
	})
	res := mustRun(t, bench.Config{BaseURL: url, PublicKey: pkey, SecretKey: skey, Scenario: bench.Charges(bench.ChargeOptions{}),
		Concurrency: 4, Requests: total})
	if diff := cmp.Diff(want, res.ErrorsByKind); diff != "" {
		t.Errorf("errors by kind (-want +got):\n%s", diff)
	}
	if res.OK != wantOK || res.Requests != total {
		t.Errorf("ok %d of %d, want %d of %d", res.OK, res.Requests, wantOK, total)
	}
	for kind, prefix := range map[string]string{
		"http 500":                        "POST /tokens: bench: HTTP 500",
		"http 400 invalid_charge":         "POST /charges: bench: HTTP 400 invalid_charge",
		"charge failed insufficient_fund": "POST /charges: bench: charge failed insufficient_fund, want successful",
	} {
		if !strings.HasPrefix(res.ErrorSamples[kind], prefix) {
			t.Errorf("sample of %q is %q, want it to start with %q", kind, res.ErrorSamples[kind], prefix)
		}
	}
	if _, invalid, _ := srv.state(); len(invalid) > 0 {
		t.Errorf("%d invalid requests, first: %s", len(invalid), invalid[0])
	}
}

// TestChargeErrorKinds answers every request of one op with something
// unexpected and checks the kind it is counted under and the request its
// sample names.
func TestChargeErrorKinds(t *testing.T) {
	// charge returns a charge with the given fields and the id of the
	// request's path ("{id}" is replaced), which is none for POST /charges.
	charge := func(fields string) string {
		return `{"object":"charge","id":"chrg_test_{id}","amount":1000,"currency":"jpy",` + fields + `}`
	}
	tests := []struct {
		name   string
		sc     bench.Scenario
		op     string
		status int
		body   string
		kind   string
		sample string // the start of the sample message
	}{
		{"Declined", bench.Charges(bench.ChargeOptions{}), opChargeCard, 200,
			charge(`"status":"failed","authorized":false,"failure_code":"payment_rejected","failure_message":"payment was rejected"`),
			"charge failed payment_rejected", "POST /charges: bench: charge failed payment_rejected, want successful"},
		{"DeclinedWithoutCode", bench.Charges(bench.ChargeOptions{}), opChargeCard, 200,
			charge(`"status":"failed","failure_code":null`), "charge failed", "POST /charges: bench: charge failed, want successful"},
		{"DeclinedLongCode", bench.Charges(bench.ChargeOptions{}), opChargeCard, 200,
			charge(`"status":"failed","failure_code":"` + strings.Repeat("x", 65) + `"`), "charge failed", "POST /charges: "},
		{"PendingNotSuccessful", bench.Charges(bench.ChargeOptions{}), opChargeCard, 200,
			charge(`"status":"pending","authorized":true`), "charge pending, want successful", "POST /charges: "},
		{"CaptureIgnored", bench.ChargesAuth(bench.ChargeOptions{}), opChargeAuth, 200,
			charge(`"status":"successful","authorized":true,"paid":true`), "charge successful, want pending", "POST /charges: "},
		{"Unauthorized3DS", bench.ChargesAuth(bench.ChargeOptions{}), opChargeAuth, 200,
			charge(`"status":"pending","authorized":false,"authorize_uri":"https://api.omise.co/payments/paym_test_1/authorize"`),
			"charge pending unauthorized, want pending", "POST /charges: bench: charge pending unauthorized, want pending"},
		{"UnknownStatus", bench.Charges(bench.ChargeOptions{}), opChargeCard, 200,
			charge(`"status":"approved"`), "bad response", `POST /charges: bench: unexpected response: charge status is "approved"`},
		{"WrongType", bench.Charges(bench.ChargeOptions{}), opChargeCard, 200,
			charge(`"status":"successful","authorized":"yes"`), "bad response", "POST /charges: bench: unexpected response: field authorized"},
		{"NotACharge", bench.Charges(bench.ChargeOptions{}), opChargeCard, 200,
			`{"object":"token","id":"tokn_test_1"}`, "bad response", `POST /charges: bench: unexpected response: object is "token"`},
		{"BadChargeID", bench.Charges(bench.ChargeOptions{}), opChargeCard, 200,
			`{"object":"charge","id":"tokn_test_1","status":"successful"}`, "bad response", "POST /charges: "},
		{"AuthenticationFailure", bench.Refunds(bench.ChargeOptions{}), opChargeCard, 401,
			`{"object":"error","location":"https://www.omise.co/api-errors#authentication-failure","code":"authentication_failure","message":"authentication failed","status":401}`,
			"http 401 authentication_failure", "POST /charges: bench: HTTP 401 authentication_failure"},
		{"TokenRejected", bench.Capture(bench.ChargeOptions{}), opToken, 400,
			`{"object":"error","code":"invalid_card","message":"number is invalid"}`, "http 400 invalid_card", "POST /tokens: "},
		{"CaptureFailed", bench.Capture(bench.ChargeOptions{}), opCapture, 400,
			`{"object":"error","code":"failed_capture","message":"capture failed"}`,
			"http 400 failed_capture", "POST /charges/{id}/capture: bench: HTTP 400 failed_capture"},
		{"CaptureReversed", bench.Capture(bench.ChargeOptions{}), opCapture, 200,
			`{"object":"charge","id":"{id}","status":"reversed","authorized":true}`, "charge reversed, want successful", "POST /charges/{id}/capture: "},
		{"CaptureOtherCharge", bench.Capture(bench.ChargeOptions{}), opCapture, 200,
			`{"object":"charge","id":"chrg_test_other0000000000000","status":"successful","authorized":true,"paid":true}`, "bad response",
			"POST /charges/{id}/capture: bench: unexpected response: answered with another charge"},
		{"RefundFailed", bench.Refunds(bench.ChargeOptions{}), opRefund, 400,
			`{"object":"error","code":"failed_refund","message":"refund failed"}`,
			"http 400 failed_refund", "POST /charges/{id}/refunds: bench: HTTP 400 failed_refund"},
		{"RefundIsCharge", bench.Refunds(bench.ChargeOptions{}), opRefund, 200,
			charge(`"status":"successful"`), "bad response", `POST /charges/{id}/refunds: bench: unexpected response: object is "charge"`},
		{"CustomerChargeNotFound", bench.Customers(bench.ChargeOptions{Customers: 2}), opChargeCustomer, 404,
			`{"object":"error","code":"not_found","message":"customer was not found"}`, "http 404 not_found", "POST /charges: "},
		{"CustomerChargeDeclined", bench.Customers(bench.ChargeOptions{Customers: 2}), opChargeCustomer, 200,
			charge(`"status":"failed","failure_code":"insufficient_fund"`), "charge failed insufficient_fund", "POST /charges: "},
		{"ServerError", bench.Charges(bench.ChargeOptions{}), opChargeCard, 503, "Service Unavailable", "http 503", "POST /charges: "},
	}
	const n = 5
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, url := newAPIServer(t, &apiServer{
				fault: func(op string, _ int64, w http.ResponseWriter, r *http.Request) bool {
					if op != tt.op {
						return false
					}
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(tt.status)
					io.WriteString(w, strings.ReplaceAll(tt.body, "{id}", r.PathValue("id")))
					return true
				},
			})
			res := mustRun(t, bench.Config{BaseURL: url, PublicKey: pkey, SecretKey: skey, Scenario: tt.sc, Concurrency: 2, Requests: n})
			if diff := cmp.Diff(map[string]int64{tt.kind: n}, res.ErrorsByKind); diff != "" {
				t.Errorf("errors by kind (-want +got):\n%s", diff)
			}
			if s := res.ErrorSamples[tt.kind]; !strings.HasPrefix(s, tt.sample) {
				t.Errorf("sample %q, want it to start with %q", s, tt.sample)
			}
		})
	}
}

// TestChargePrepareErrors checks that the charge scenarios refuse to run
// without both keys or with invalid options, and that a failed Prepare of
// customers deletes the customers it created.
func TestChargePrepareErrors(t *testing.T) {
	for _, name := range []string{"charges", "charges-auth", "capture", "refunds", "customers", "mixed"} {
		sc, ok := bench.Lookup(name)
		if !ok {
			t.Fatalf("no scenario %q", name)
		}
		srv, url := newAPIServer(t, nil)
		for _, cfg := range []bench.Config{
			{BaseURL: url, PublicKey: pkey, Scenario: sc, Requests: 1},
			{BaseURL: url, SecretKey: skey, Scenario: sc, Requests: 1},
		} {
			if _, err := bench.Run(t.Context(), cfg); err == nil {
				t.Errorf("%s without a key: Run succeeded", name)
			}
		}
		if counts, _, _ := srv.state(); len(counts) > 0 {
			t.Errorf("%s without a key sent requests: %v", name, counts)
		}
	}
	_, url := newAPIServer(t, nil)
	for _, sc := range []bench.Scenario{
		bench.Charges(bench.ChargeOptions{Amount: -1}),
		bench.Capture(bench.ChargeOptions{Amount: -1000}),
		bench.Customers(bench.ChargeOptions{Customers: -1}),
		bench.Mixed(bench.ChargeOptions{Customers: -1}),
	} {
		if _, err := bench.Run(t.Context(), bench.Config{BaseURL: url, PublicKey: pkey, SecretKey: skey, Scenario: sc, Requests: 1}); err == nil {
			t.Errorf("%s with invalid options: Run succeeded", sc.Name())
		}
	}

	tests := []struct {
		name  string
		sc    bench.Scenario
		fault func(op string, n int64, w http.ResponseWriter, _ *http.Request) bool
		want  map[string]int64
		err   string
	}{
		{"NoDefaultCard", bench.Customers(bench.ChargeOptions{}),
			func(op string, n int64, w http.ResponseWriter, _ *http.Request) bool {
				if op != opCustomer || n < 3 {
					return false
				}
				writeJSON(w, map[string]any{"object": "customer", "id": "cust_test_3", "default_card": nil})
				return true
			},
			map[string]int64{opToken: 3, opCustomer: 3, opDeleteCustomer: 2},
			"create customer 3 of 16: POST /customers: bench: unexpected response: customer has no default card"},
		{"CustomerRefused", bench.Mixed(bench.ChargeOptions{Customers: 4}),
			func(op string, n int64, w http.ResponseWriter, _ *http.Request) bool {
				if op != opCustomer || n < 2 {
					return false
				}
				writeError(w, http.StatusBadRequest, "invalid_card_token", "token was already used")
				return true
			},
			map[string]int64{opToken: 2, opCustomer: 2, opDeleteCustomer: 1},
			"create customer 2 of 4: POST /customers: bench: HTTP 400 invalid_card_token"},
		{"SeedDeclined", bench.Mixed(bench.ChargeOptions{Customers: 2}),
			func(op string, n int64, w http.ResponseWriter, _ *http.Request) bool {
				if op != opChargeCustomer || n < 4 {
					return false
				}
				writeJSON(w, map[string]any{"object": "charge", "id": "chrg_test_4", "status": "failed", "failure_code": "insufficient_fund"})
				return true
			},
			map[string]int64{opToken: 2, opCustomer: 2, opChargeCustomer: 4, opDeleteCustomer: 2},
			"create charge 4 of 8: POST /charges: bench: charge failed insufficient_fund"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, url := newAPIServer(t, &apiServer{fault: tt.fault})
			_, err := bench.Run(t.Context(), bench.Config{BaseURL: url, PublicKey: pkey, SecretKey: skey, Scenario: tt.sc, Requests: 1})
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Run: %v, want an error containing %q", err, tt.err)
			}
			counts, _, _ := srv.state()
			if diff := cmp.Diff(tt.want, counts); diff != "" {
				t.Errorf("requests by op (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMixed runs the mix for ten periods of 20 iterations and checks that
// it sent exactly the weighted mix, that its reads found charges of the
// run, and that its errors are counted by kind.
func TestMixed(t *testing.T) {
	const n = 200
	srv, url := newAPIServer(t, nil)
	res := mustRun(t, bench.Config{
		BaseURL: url, PublicKey: pkey, SecretKey: skey, Scenario: bench.Mixed(bench.ChargeOptions{}), Concurrency: 4, Requests: n,
	})
	if res.OK != n || res.Errors != 0 || res.Scenario != "mixed" {
		t.Errorf("%s: ok %d, errors %d %v", res.Scenario, res.OK, res.Errors, res.ErrorSamples)
	}
	// 50% charges, 15% capture, 10% refunds, 15% customers, 10% reads, and
	// in Prepare 16 customers and 8 charges of their cards.
	charges, capture, refunds, customers, reads := int64(n*50/100), int64(n*15/100), int64(n*10/100), int64(n*15/100), int64(n*10/100)
	want := map[string]int64{
		opToken:          16 + charges + capture + refunds,
		opCustomer:       16,
		opChargeCard:     charges + refunds,
		opChargeAuth:     capture,
		opCapture:        capture,
		opRefund:         refunds,
		opChargeCustomer: 8 + customers,
		opGetCharge:      reads,
		opDeleteCustomer: 16,
	}
	counts, invalid, _ := srv.state()
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("requests by op (-want +got):\n%s", diff)
	}
	if len(invalid) > 0 {
		t.Errorf("%d invalid requests, first: %s", len(invalid), invalid[0])
	}

	t.Run("Errors", func(t *testing.T) {
		_, url := newAPIServer(t, &apiServer{
			decline: func(n int64) string {
				if n > 8 && n%4 == 0 { // not the charges of Prepare
					return "failed_processing"
				}
				return ""
			},
			fault: func(op string, _ int64, w http.ResponseWriter, _ *http.Request) bool {
				if op != opGetCharge {
					return false
				}
				writeError(w, http.StatusNotFound, "not_found", "charge was not found")
				return true
			},
		})
		res := mustRun(t, bench.Config{
			BaseURL: url, PublicKey: pkey, SecretKey: skey, Scenario: bench.Mixed(bench.ChargeOptions{}), Concurrency: 4, Requests: n,
		})
		// Every read fails; a quarter of the charges are declined, wherever
		// they come from.
		if got := res.ErrorsByKind["http 404 not_found"]; got != reads {
			t.Errorf("%d reads failed, want %d", got, reads)
		}
		if got := res.ErrorsByKind["charge failed failed_processing"]; got != (n-reads)/4 {
			t.Errorf("%d charges declined, want %d (%v)", got, (n-reads)/4, res.ErrorsByKind)
		}
		if len(res.ErrorsByKind) != 2 || res.OK != n-res.Errors {
			t.Errorf("errors by kind %v, ok %d", res.ErrorsByKind, res.OK)
		}
		if s := res.ErrorSamples["http 404 not_found"]; !strings.HasPrefix(s, "GET /charges/{id}: ") {
			t.Errorf("sample of the failed reads: %q", s)
		}
	})
}

// TestChargeErrorMessage checks the message of a ChargeError, which
// samples show.
func TestChargeErrorMessage(t *testing.T) {
	for _, tt := range []struct {
		err  bench.ChargeError
		want string
	}{
		{bench.ChargeError{Status: "failed", FailureCode: "insufficient_fund", Want: "successful"}, "bench: charge failed insufficient_fund, want successful"},
		{bench.ChargeError{Status: "pending", Want: "pending"}, "bench: charge pending unauthorized, want pending"},
		{bench.ChargeError{Status: "pending", Authorized: true, Want: "successful"}, "bench: charge pending, want successful"},
		{bench.ChargeError{Status: "expired", Want: "successful"}, "bench: charge expired, want successful"},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.err, got, tt.want)
		}
	}
}
