package bench

import (
	"context"
	"net/http"
)

// Capture returns the "capture" scenario. Each iteration creates a token,
// charges it with capture=false (expecting a pending, authorized charge, as
// "charges-auth" does), then captures the charge in full with
// POST /charges/{id}/capture, expecting 200 and the same charge with status
// "successful". Latency is that of the three requests. It prepares
// nothing.
func Capture(o ChargeOptions) Scenario { return &capture{opts: o.withDefaults()} }

type capture struct{ opts ChargeOptions }

func (*capture) Name() string { return "capture" }

// Prepare creates nothing; it fails when the target lacks a key or the
// options are invalid.
func (s *capture) Prepare(_ context.Context, _ *http.Client, t Target) (Target, func(), error) {
	return t, func() {}, s.opts.check(s.Name(), t)
}

func (s *capture) Do(ctx context.Context, c *http.Client, t Target) error {
	_, err := authorizeAndCapture(ctx, c, t, s.opts)
	return err
}

// authorizeAndCapture creates a token, charges it without capture and
// captures the charge, and returns the charge's id. It fails unless the
// charge is pending and authorized, and then successful.
func authorizeAndCapture(ctx context.Context, c *http.Client, t Target, o ChargeOptions) (string, error) {
	id, err := chargeCard(ctx, c, t, o, false)
	if err != nil {
		return "", err
	}
	return id, captureCharge(ctx, c, t, id)
}

// captureCharge sends POST /charges/{id}/capture (with "{}", as omise-go
// does) and fails unless the answer is that charge, successful.
func captureCharge(ctx context.Context, c *http.Client, t Target, id string) error {
	const name = "POST /charges/{id}/capture"
	req, err := newRequest(ctx, t, http.MethodPost, "/charges/"+id+"/capture", t.SecretKey, struct{}{})
	if err != nil {
		return err
	}
	var ch apiObject
	if err := call(c, req, "charge", "chrg_", &ch); err != nil {
		return step(name, err)
	}
	if ch.ID != id {
		return step(name, &ResponseError{Reason: "answered with another charge"})
	}
	return step(name, chargeState(&ch, "successful"))
}

// RequestsPerIteration returns 3: a token, a charge and its capture.
func (s *capture) RequestsPerIteration() int { return 3 }
