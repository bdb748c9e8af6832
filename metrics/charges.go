package metrics

import (
	"context"

	"github.com/kessai/kessai"
)

// ChargeService is a [kessai.ChargeService] that counts the outcome of
// every charge created through it in kessai_charges_total.
type ChargeService struct {
	kessai.ChargeService
	Metrics *Registry
}

// CreateCharge creates the charge through the wrapped service and records
// its status and failure code. Returns the wrapped service's errors; a
// request that fails with an error creates no charge and is not counted.
func (s *ChargeService) CreateCharge(ctx context.Context, auth *kessai.Auth, in *kessai.ChargeInput) (*kessai.Charge, error) {
	c, err := s.ChargeService.CreateCharge(ctx, auth, in)
	if err == nil && c != nil {
		code := ""
		if c.FailureCode != nil {
			code = *c.FailureCode
		}
		s.Metrics.ObserveCharge(string(c.Status), code)
	}
	return c, err
}
