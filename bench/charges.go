package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// ChargeOptions are the settings of the charge scenarios ([Charges],
// [ChargesAuth], [Capture], [Refunds], [Customers], [Mixed]). The zero
// value is the default, ¥1,000 charges: the development merchant is a JP
// account in JPY.
type ChargeOptions struct {
	// Currency is the charges' currency, sent as given (default "jpy").
	Currency string
	// Amount is the charges' amount in the currency's smallest unit
	// (default 1000 for JPY, the only zero-decimal currency, and 100000,
	// such as ฿1,000, for any other). It must be within the account's
	// limits (omise-api.md §9: THB 2000 and JPY 100 at least).
	Amount int64
	// Customers is the number of customers with a saved card that the
	// customers and mixed scenarios create (default 16).
	Customers int
}

// DefaultCustomers is the default of ChargeOptions.Customers.
const DefaultCustomers = 16

// withDefaults returns o with the zero values replaced by the defaults.
func (o ChargeOptions) withDefaults() ChargeOptions {
	if o.Currency == "" {
		o.Currency = "jpy"
	}
	if o.Amount == 0 {
		o.Amount = 100000
		if strings.EqualFold(o.Currency, "jpy") {
			o.Amount = 1000
		}
	}
	if o.Customers == 0 {
		o.Customers = DefaultCustomers
	}
	return o
}

// check returns an error unless the scenario name can run with o against
// t: t has a URL and both keys, the amount is positive and the number of
// customers is not negative.
func (o ChargeOptions) check(name string, t Target) error {
	switch {
	case t.BaseURL == "":
		return fmt.Errorf("bench: no target URL for the %s scenario", name)
	case t.PublicKey == "" || t.SecretKey == "":
		return fmt.Errorf("bench: the %s scenario needs a public and a secret key", name)
	case o.Amount <= 0:
		return fmt.Errorf("bench: charge amount %d is not positive", o.Amount)
	case o.Customers < 0:
		return fmt.Errorf("bench: number of customers %d is negative", o.Customers)
	}
	return nil
}

// chargeRequest is the body of POST /charges.
type chargeRequest struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	Card     string `json:"card,omitempty"`
	Customer string `json:"customer,omitempty"`
	Capture  *bool  `json:"capture,omitempty"`
}

// Charges returns the "charges" scenario. Each iteration creates a token
// of a random approved test card with the public key (as "tokens" does),
// then charges it with the secret key: POST /charges with amount, currency
// and card (JSON). It expects 200 and a charge with status "successful";
// latency is that of both requests. A declined charge (status "failed")
// counts as an error of kind "charge failed <failure_code>".
func Charges(o ChargeOptions) Scenario { return &charges{opts: o.withDefaults(), capture: true} }

// ChargesAuth returns the "charges-auth" scenario: "charges" with
// capture=false, expecting a charge with status "pending" and authorized
// true. It leaves the authorizations uncaptured, holding the amounts on
// the cards until they expire.
func ChargesAuth(o ChargeOptions) Scenario { return &charges{opts: o.withDefaults(), capture: false} }

type charges struct {
	opts    ChargeOptions
	capture bool
}

func (s *charges) Name() string {
	if s.capture {
		return "charges"
	}
	return "charges-auth"
}

// Prepare creates nothing; it fails when the target lacks a key or the
// options are invalid.
func (s *charges) Prepare(_ context.Context, _ *http.Client, t Target) (Target, func(), error) {
	return t, func() {}, s.opts.check(s.Name(), t)
}

func (s *charges) Do(ctx context.Context, c *http.Client, t Target) error {
	_, err := chargeCard(ctx, c, t, s.opts, s.capture)
	return err
}

// chargeCard creates a token and charges it, captured or only
// authorized, and returns the charge's id. It fails unless the charge is
// successful, or pending and authorized when capture is false.
func chargeCard(ctx context.Context, c *http.Client, t Target, o ChargeOptions, capture bool) (string, error) {
	tok, err := createToken(ctx, c, t)
	if err != nil {
		return "", err
	}
	body := chargeRequest{Amount: o.Amount, Currency: o.Currency, Card: tok}
	want := "successful"
	if !capture {
		body.Capture, want = &capture, "pending"
	}
	return createCharge(ctx, c, t, body, want)
}

// createCharge sends POST /charges with body and returns the charge's id.
// It fails unless the charge has status want, and when want is "pending"
// is authorized.
func createCharge(ctx context.Context, c *http.Client, t Target, body chargeRequest, want string) (string, error) {
	req, err := newRequest(ctx, t, http.MethodPost, "/charges", t.SecretKey, body)
	if err != nil {
		return "", err
	}
	var ch apiObject
	if err := call(c, req, "charge", "chrg_", &ch); err != nil {
		return "", step("POST /charges", err)
	}
	return ch.ID, step("POST /charges", chargeState(&ch, want))
}

// getCharge sends GET /charges/{id} and fails unless the answer is that
// charge with status want.
func getCharge(ctx context.Context, c *http.Client, t Target, id, want string) error {
	req, err := newRequest(ctx, t, http.MethodGet, "/charges/"+id, t.SecretKey, nil)
	if err != nil {
		return err
	}
	var ch apiObject
	if err := call(c, req, "charge", "chrg_", &ch); err != nil {
		return step("GET /charges/{id}", err)
	}
	if ch.ID != id {
		return step("GET /charges/{id}", &ResponseError{Reason: "answered with another charge"})
	}
	return step("GET /charges/{id}", chargeState(&ch, want))
}

// chargeStatuses are the statuses a charge may have.
var chargeStatuses = []string{"pending", "successful", "failed", "reversed", "expired"}

// chargeState returns nil when ch has status want, and when want is
// "pending" is authorized; a *ChargeError when it is in another state;
// and a *ResponseError when its status is none of a charge's.
func chargeState(ch *apiObject, want string) error {
	if !slices.Contains(chargeStatuses, ch.Status) {
		return &ResponseError{Reason: "charge status is " + strconv.Quote(ch.Status)}
	}
	if ch.Status == want && (want != "pending" || ch.Authorized) {
		return nil
	}
	return &ChargeError{Status: ch.Status, Authorized: ch.Authorized, FailureCode: ch.FailureCode, Want: want}
}

// errNotPrepared is what an iteration of a scenario that needs Prepare
// returns without it.
var errNotPrepared = errors.New("bench: the scenario was not prepared")

// RequestsPerIteration returns 2: a token and a charge.
func (s *charges) RequestsPerIteration() int { return 2 }
