package bench

import (
	"context"
	"net/http"
)

// Refunds returns the "refunds" scenario. Each iteration creates a token,
// charges it (captured, expecting a successful charge, as "charges" does),
// then refunds half of the amount (at least 1) with
// POST /charges/{id}/refunds, expecting 200 and a refund object. Latency
// is that of the three requests. It prepares nothing.
func Refunds(o ChargeOptions) Scenario { return &refunds{opts: o.withDefaults()} }

type refunds struct{ opts ChargeOptions }

func (*refunds) Name() string { return "refunds" }

// Prepare creates nothing; it fails when the target lacks a key or the
// options are invalid.
func (s *refunds) Prepare(_ context.Context, _ *http.Client, t Target) (Target, func(), error) {
	return t, func() {}, s.opts.check(s.Name(), t)
}

func (s *refunds) Do(ctx context.Context, c *http.Client, t Target) error {
	_, err := chargeAndRefund(ctx, c, t, s.opts)
	return err
}

// refundRequest is the body of POST /charges/{id}/refunds.
type refundRequest struct {
	Amount int64 `json:"amount"`
}

// refundAmount is the amount refunded of a charge of amount: half, and
// at least 1.
func refundAmount(amount int64) int64 { return max(amount/2, 1) }

// chargeAndRefund creates a token, charges it and refunds half of the
// charge, and returns the charge's id. It fails unless the charge is
// successful and the answer to the refund is a refund object.
func chargeAndRefund(ctx context.Context, c *http.Client, t Target, o ChargeOptions) (string, error) {
	id, err := chargeCard(ctx, c, t, o, true)
	if err != nil {
		return "", err
	}
	req, err := newRequest(ctx, t, http.MethodPost, "/charges/"+id+"/refunds", t.SecretKey,
		refundRequest{Amount: refundAmount(o.Amount)})
	if err != nil {
		return "", err
	}
	return id, step("POST /charges/{id}/refunds", expectObject(c, req, "refund", "rfnd_"))
}

// RequestsPerIteration returns 3: a token, a charge and a refund.
func (s *refunds) RequestsPerIteration() int { return 3 }
