package kessai_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai"
	"github.com/omise/omise-go"
)

var t0 = time.Date(2026, 11, 22, 4, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

// newCharge returns a pending, unauthorized THB charge as the payment service
// stores it before the authorization leaves.
func newCharge() *kessai.Charge {
	c := &kessai.Charge{
		ID:        "chrg_test_000000000000000000a",
		Amount:    100000,
		Currency:  "thb",
		Status:    kessai.ChargePending,
		Capture:   true,
		CreatedAt: kessai.Time{Time: t0},
		ExpiresAt: kessai.NewTime(kessai.ChargeExpiry("TH", t0)),
		Fees:      kessai.DefaultFeeSchedule("TH"),
		Card:      &kessai.Card{Object: "card", ID: "card_test_000000000000000000a", LastDigits: "4242", Brand: "Visa"},
	}
	c.Derive()
	return c
}

// flags are the derived booleans of a charge, in a comparable form.
type flags struct {
	Authorized, Paid, Reversed, Expired, Voided, Capturable, Reversible, CanPerformVoid,
	Refundable, PartiallyRefundable, Disputable bool
	AuthorizedAmount, Fee, FeeVat, Net int64
}

func flagsOf(c *kessai.Charge) flags {
	return flags{c.Authorized, c.Paid, c.Reversed, c.Expired, c.Voided, c.Capturable, c.Reversible, c.CanPerformVoid,
		c.Refundable, c.PartiallyRefundable, c.Disputable, c.AuthorizedAmount, c.Fee, c.FeeVat, c.Net}
}

func TestChargeLifecycleFlags(t *testing.T) {
	later := t0.Add(time.Hour)
	tests := []struct {
		name string
		do   func(c *kessai.Charge)
		want flags
	}{
		{"in flight", func(c *kessai.Charge) { c.MarkInflight(kessai.InflightAuthorize, t0) },
			flags{Fee: 3650, FeeVat: 256, Net: 96094}},
		{"authorized", func(c *kessai.Charge) { c.MarkAuthorized(t0, "123456") },
			flags{Authorized: true, Capturable: true, Reversible: true, CanPerformVoid: true, AuthorizedAmount: 100000, Fee: 3650, FeeVat: 256, Net: 96094}},
		{"captured", func(c *kessai.Charge) { c.MarkAuthorized(t0, "123456"); c.MarkCaptured(100000, later, "trxn_test_x") },
			flags{Authorized: true, Paid: true, Refundable: true, PartiallyRefundable: true, Disputable: true, AuthorizedAmount: 100000, Fee: 3650, FeeVat: 256, Net: 96094}},
		{"partially captured", func(c *kessai.Charge) { c.MarkAuthorized(t0, ""); c.MarkCaptured(50000, later, "trxn_test_x") },
			flags{Authorized: true, Paid: true, Refundable: true, PartiallyRefundable: true, Disputable: true, AuthorizedAmount: 100000, Fee: 1825, FeeVat: 128, Net: 48047}},
		{"fully refunded", func(c *kessai.Charge) {
			c.MarkAuthorized(t0, "")
			c.MarkCaptured(100000, later, "trxn_test_x")
			c.RefundedAmount = 100000
			c.Derive()
		}, flags{Authorized: true, Paid: true, Disputable: true, AuthorizedAmount: 100000, Fee: 3650, FeeVat: 256, Net: 96094}},
		{"declined", func(c *kessai.Charge) { c.MarkFailed("insufficient_fund", "") },
			flags{}},
		{"reversed", func(c *kessai.Charge) { c.MarkAuthorized(t0, ""); c.MarkReversed(later) },
			flags{Authorized: true, Reversed: true, Voided: true, AuthorizedAmount: 100000}},
		{"expired", func(c *kessai.Charge) { c.MarkAuthorized(t0, ""); c.MarkExpired(later) },
			flags{Authorized: true, Expired: true, AuthorizedAmount: 100000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCharge()
			tt.do(c)
			c.Derive()
			if diff := cmp.Diff(tt.want, flagsOf(c)); diff != "" {
				t.Errorf("flags (-want +got):\n%s", diff)
			}
		})
	}
}

func TestChargeTransitionsRecordTimes(t *testing.T) {
	c := newCharge()
	c.MarkInflight(kessai.InflightAuthorize, t0)
	c.MarkAuthorized(t0, "654321")
	if c.Inflight != "" || c.AuthorizedAt == nil || *c.ApprovalCode != "654321" || c.Status != kessai.ChargePending {
		t.Fatalf("after authorization: %+v", c)
	}
	c.MarkCaptured(100000, t0.Add(time.Minute), "trxn_test_1")
	if c.Status != kessai.ChargeSuccessful || c.PaidAt == nil || !c.PaidAt.Equal(t0.Add(time.Minute)) || *c.Transaction != "trxn_test_1" {
		t.Fatalf("after capture: %+v", c)
	}
	d := newCharge()
	d.MarkFailed("stolen_or_lost_card", "")
	if d.Status != kessai.ChargeFailed || *d.FailureCode != "stolen_or_lost_card" || *d.FailureMessage != "stolen or lost card" {
		t.Errorf("declined: %v %v %v", d.Status, *d.FailureCode, *d.FailureMessage)
	}
	if got := kessai.FailureMessage("no_such_code"); got != "payment failed" {
		t.Errorf("unknown failure message = %q", got)
	}
}

func TestChargeExpiry(t *testing.T) {
	if got, want := kessai.ChargeExpiry("TH", t0), t0.AddDate(0, 0, 7); !got.Equal(want) {
		t.Errorf("TH expiry = %v, want %v", got, want)
	}
	if got, want := kessai.ChargeExpiry("JP", t0), t0.AddDate(0, 0, 30); !got.Equal(want) {
		t.Errorf("JP expiry = %v, want %v", got, want)
	}
	c := newCharge()
	c.MarkAuthorized(t0, "")
	if c.PastExpiry(t0.AddDate(0, 0, 7).Add(-time.Second)) {
		t.Error("past expiry a second early")
	}
	if !c.PastExpiry(t0.AddDate(0, 0, 7)) {
		t.Error("not past expiry at expires_at")
	}
}

func TestChargeChecks(t *testing.T) {
	now := t0.Add(time.Hour)
	expiredAt := t0.AddDate(0, 0, 8)
	authorized := func() *kessai.Charge { c := newCharge(); c.MarkAuthorized(t0, ""); return c }
	preAuth := func() *kessai.Charge { c := authorized(); c.AuthorizationType = ptr(kessai.PreAuth); return c }
	captured := func() *kessai.Charge { c := authorized(); c.MarkCaptured(100000, now, "trxn_test_x"); return c }
	inflight := func() *kessai.Charge { c := authorized(); c.MarkInflight(kessai.InflightCapture, now); return c }
	failed := func() *kessai.Charge { c := newCharge(); c.MarkFailed("payment_rejected", ""); return c }
	expired := func() *kessai.Charge { c := authorized(); c.MarkExpired(now); return c }

	tests := []struct {
		name string
		err  error
		want string
	}{
		{"capture full", authorized().CheckCapture(0, now), ""},
		{"capture exact", authorized().CheckCapture(100000, now), ""},
		{"capture partial final", authorized().CheckCapture(5000, now), kessai.EFailedCapture},
		{"capture partial pre_auth", preAuth().CheckCapture(5000, now), ""},
		{"capture too much", preAuth().CheckCapture(100001, now), kessai.EFailedCapture},
		{"capture negative", authorized().CheckCapture(-1, now), kessai.EInvalidAmount},
		{"capture twice", captured().CheckCapture(0, now), kessai.EFailedCapture},
		{"capture in flight", inflight().CheckCapture(0, now), kessai.EFailedCapture},
		{"capture failed", failed().CheckCapture(0, now), kessai.EFailedCapture},
		{"capture expired", expired().CheckCapture(0, now), kessai.EExpiredCharge},
		{"capture past expiry", authorized().CheckCapture(0, expiredAt), kessai.EExpiredCharge},
		{"capture unauthorized", newCharge().CheckCapture(0, now), kessai.EFailedCapture},
		{"reverse", authorized().CheckReverse(now), ""},
		{"reverse captured", captured().CheckReverse(now), kessai.EFailedReverse},
		{"reverse in flight", inflight().CheckReverse(now), kessai.EFailedReverse},
		{"reverse expired", expired().CheckReverse(now), kessai.EExpiredCharge},
		{"reverse past expiry", authorized().CheckReverse(expiredAt), kessai.EExpiredCharge},
		{"reverse failed", failed().CheckReverse(now), kessai.EFailedReverse},
		{"expire pending", authorized().CheckExpire(), ""},
		{"expire unauthorized pending", newCharge().CheckExpire(), ""},
		{"expire twice", expired().CheckExpire(), kessai.EFailedExpire},
		{"expire captured", captured().CheckExpire(), kessai.EFailedExpire},
		{"expire in flight", inflight().CheckExpire(), kessai.EFailedExpire},
		{"refund full", captured().CheckRefund(100000), ""},
		{"refund part", captured().CheckRefund(1), ""},
		{"refund too much", captured().CheckRefund(100001), kessai.EFailedRefund},
		{"refund zero", captured().CheckRefund(0), kessai.EInvalidAmount},
		{"refund uncaptured", authorized().CheckRefund(100), kessai.EFailedRefund},
		{"refund failed", failed().CheckRefund(100), kessai.EFailedRefund},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := kessai.ErrorCode(tt.err); got != tt.want {
				t.Errorf("code = %q (%v), want %q", got, tt.err, tt.want)
			}
		})
	}

	// Repeated partial refunds up to the captured amount, then no more.
	c := captured()
	for _, amt := range []int64{30000, 30000, 40000} {
		if err := c.CheckRefund(amt); err != nil {
			t.Fatalf("refund %d after %d: %v", amt, c.RefundedAmount, err)
		}
		c.RefundedAmount += amt
		c.Derive()
	}
	if err := c.CheckRefund(1); kessai.ErrorCode(err) != kessai.EFailedRefund {
		t.Errorf("refund past captured amount: %v", err)
	}
	if c.Refundable {
		t.Error("fully refunded charge is refundable")
	}
}

func TestValidateChargeAmount(t *testing.T) {
	th := &kessai.Account{Country: "TH", Currency: "thb"}
	jp := &kessai.Account{Country: "JP", Currency: "jpy"}
	only := &kessai.Account{Country: "TH", Currency: "thb", SupportedCurrencies: []string{"thb"}}
	tests := []struct {
		name     string
		acct     *kessai.Account
		currency string
		amount   int64
		want     string // currency, or the error code
	}{
		{"thb minimum", th, "THB", 2000, "thb"},
		{"thb below minimum", th, "thb", 1999, kessai.EInvalidCharge},
		{"thb maximum", th, "thb", 15_000_000, "thb"},
		{"thb above maximum", th, "thb", 15_000_001, kessai.EInvalidCharge},
		{"jpy minimum", jp, "jpy", 100, "jpy"},
		{"jpy below minimum", jp, "JPY", 99, kessai.EInvalidCharge},
		{"jpy above maximum", jp, "jpy", 6_000_001, kessai.EInvalidCharge},
		{"foreign currency has no country limit", th, "usd", 50, "usd"},
		{"foreign currency zero", th, "usd", 0, kessai.EInvalidCharge},
		{"negative", jp, "jpy", -100, kessai.EInvalidCharge},
		{"unsupported currency", th, "xyz", 5000, kessai.EInvalidCharge},
		{"missing currency", th, "", 5000, kessai.EInvalidCharge},
		{"not in the account's list", only, "usd", 5000, kessai.EInvalidCharge},
		{"over the global cap", th, "usd", kessai.MaxChargeAmount + 1, kessai.EInvalidCharge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur, err := kessai.ValidateChargeAmount(tt.acct, tt.currency, tt.amount)
			got := cur
			if err != nil {
				got = kessai.ErrorCode(err)
			}
			if got != tt.want {
				t.Errorf("got %q (%v), want %q", got, err, tt.want)
			}
		})
	}
	_, err := kessai.ValidateChargeAmount(th, "eur1", 5000)
	if kessai.ErrorMessage(err) != "currency is currently not supported" {
		t.Errorf("message = %q", kessai.ErrorMessage(err))
	}
}

// chargeKeys are the keys of the 2019-05-29 Charge object (omise-api.md §4).
var chargeKeys = []string{
	"object", "id", "livemode", "location", "amount", "currency", "funding_amount", "funding_currency",
	"fee", "fee_vat", "interest", "interest_vat", "net", "transaction_fees", "platform_fee", "description",
	"metadata", "status", "capture", "authorized", "authorized_amount", "authorized_at", "authorization_type",
	"captured_amount", "paid", "paid_at", "reversed", "reversed_at", "expired", "expired_at", "expires_at",
	"voided", "capturable", "reversible", "refundable", "partially_refundable", "disputable", "can_perform_void",
	"refunded_amount", "refunds", "transaction", "card", "source", "customer", "ip", "dispute", "link",
	"schedule", "return_uri", "authorize_uri", "authentication", "authenticated_by", "failure_code",
	"failure_message", "merchant_advice", "merchant_advice_code", "missing_3ds_fields",
	"acquirer_reference_number", "approval_code", "zero_interest_installments", "branch", "terminal",
	"device", "linked_account", "created_at",
	"three_d_secure", // Kessai's extension: the 3-D Secure summary
}

func keysOf(t *testing.T, v any) (map[string]json.RawMessage, []string) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return m, keys
}

func TestChargeJSONShape(t *testing.T) {
	c := newCharge()
	c.MarkAuthorized(t0, "123456")
	c.MarkCaptured(100000, t0, "trxn_test_000000000000000000a")
	m, keys := keysOf(t, c)
	want := slices.Clone(chargeKeys)
	slices.Sort(want)
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("charge keys (-want +got):\n%s", diff)
	}
	for k, v := range map[string]string{
		"object":             `"charge"`,
		"location":           `"/charges/chrg_test_000000000000000000a"`,
		"metadata":           `{}`,
		"description":        `null`,
		"customer":           `null`,
		"source":             `null`,
		"dispute":            `null`,
		"reversed_at":        `null`,
		"missing_3ds_fields": `[]`,
		"transaction":        `"trxn_test_000000000000000000a"`,
		"created_at":         `"2026-11-22T04:00:00Z"`,
		"expires_at":         `"2026-11-29T04:00:00Z"`,
		"transaction_fees":   `{"fee_flat":"0.0","fee_rate":"3.65","vat_rate":"7.0"}`,
		"platform_fee":       `{"fixed":null,"amount":null,"percentage":null}`,
		"net":                `96094`,
	} {
		if got := string(m[k]); got != v {
			t.Errorf("%s = %s, want %s", k, got, v)
		}
	}
	var refunds map[string]json.RawMessage
	if err := json.Unmarshal(m["refunds"], &refunds); err != nil {
		t.Fatal(err)
	}
	if got := string(refunds["location"]); got != `"/charges/chrg_test_000000000000000000a/refunds"` {
		t.Errorf("refunds location = %s", got)
	}
	if got := string(refunds["data"]); got != `[]` {
		t.Errorf("refunds data = %s", got)
	}
}

// TestChargeDecodesWithOmiseGo checks that the official client reads our
// charge: string ids for transaction and customer, nullable times, amounts
// as integers.
func TestChargeDecodesWithOmiseGo(t *testing.T) {
	c := newCharge()
	c.Customer = ptr("cust_test_000000000000000000a")
	c.Description = ptr("order 42")
	c.Metadata = kessai.Metadata{"order": 42}
	c.MarkAuthorized(t0, "")
	c.MarkCaptured(100000, t0, "trxn_test_000000000000000000a")
	c.RefundedAmount = 100
	r := &kessai.Refund{ID: "rfnd_test_000000000000000000a", Charge: c.ID, Amount: 100, Currency: "thb", Status: kessai.RefundClosed, CreatedAt: kessai.Time{Time: t0}}
	r.Derive()
	c.Refunds = kessai.NewList("", kessai.ListParams{Limit: 20, Order: kessai.Chronological, To: t0}, []*kessai.Refund{r}, 1)
	c.Derive()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var got omise.Charge
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("omise-go decode: %v\n%s", err, b)
	}
	if got.ID != c.ID || got.Amount != 100000 || got.Transaction != "trxn_test_000000000000000000a" ||
		got.CustomerID != "cust_test_000000000000000000a" || got.Status != omise.ChargeSuccessful || !got.Paid ||
		got.RefundedAmount != 100 || got.Refunds == nil || len(got.Refunds.Data) != 1 || got.Refunds.Data[0].Amount != 100 ||
		*got.Description != "order 42" || got.Card.LastDigits != "4242" || !got.CreatedAt.Equal(t0) {
		t.Errorf("decoded charge = %+v", got)
	}
}
