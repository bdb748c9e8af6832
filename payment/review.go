package payment

import (
	"context"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/sqlstore"
)

var _ kessai.ReviewService = (*Service)(nil)

// holdForReview keeps a charge a review rule matched from being captured
// with its authorization: the charge is stored as an authorization only
// (capture false), and the capture waits for the merchant's approval
// ([Service.ApproveReview] or a capture). It reports whether the charge
// was held.
func holdForReview(ch *kessai.Charge, d *kessai.FraudDecision) bool {
	if d == nil || d.Action != kessai.FraudReview || !ch.Capture {
		return false
	}
	ch.Capture = false
	return true
}

// openReview writes the review.open event of ch, held by d, in the write
// that stores it.
func openReview(tx *sqlstore.Tx, ch *kessai.Charge, d *kessai.FraudDecision) error {
	c := *ch
	c.Derive()
	return addEvent(tx, kessai.EventReviewOpen, ch.AccountID, ch.Livemode, ch.ID, kessai.NewReview(&c, d))
}

// ListReviews implements [kessai.ReviewService].
func (s *Service) ListReviews(ctx context.Context, auth *kessai.Auth, open bool, p kessai.ListParams) (*kessai.List[*kessai.Review], error) {
	l, err := s.db.ListReviewCharges(ctx, auth.AccountID, auth.Livemode, open, p)
	if err != nil {
		return nil, err
	}
	out := &kessai.List[*kessai.Review]{Object: l.Object, From: l.From, To: l.To, Offset: l.Offset, Limit: l.Limit,
		Total: l.Total, Order: l.Order, Location: l.Location, Data: make([]*kessai.Review, 0, len(l.Data))}
	for _, ch := range l.Data {
		d, err := s.db.FindFraudDecision(ctx, auth.AccountID, auth.Livemode, ch.ID)
		if err != nil {
			return nil, err
		}
		out.Data = append(out.Data, kessai.NewReview(ch, d))
	}
	return out, nil
}

// FindReview implements [kessai.ReviewService].
func (s *Service) FindReview(ctx context.Context, auth *kessai.Auth, chargeID string) (*kessai.Review, error) {
	d, err := s.db.FindFraudDecision(ctx, auth.AccountID, auth.Livemode, chargeID)
	if kessai.ErrorCode(err) == kessai.ENotFound || err == nil && d.Action != kessai.FraudReview {
		return nil, kessai.Errorf(kessai.ENotFound, "review of charge %s was not found", chargeID)
	}
	if err != nil {
		return nil, err
	}
	ch, err := s.db.FindCharge(ctx, auth.AccountID, auth.Livemode, chargeID)
	if err != nil {
		return nil, err
	}
	return kessai.NewReview(ch, d), nil
}

// ApproveReview implements [kessai.ReviewService]: the held charge is
// captured in full, with its charge.capture event.
func (s *Service) ApproveReview(ctx context.Context, auth *kessai.Auth, chargeID string) (*kessai.Review, error) {
	if _, err := s.FindReview(ctx, auth, chargeID); err != nil {
		return nil, err
	}
	if _, err := s.CaptureCharge(ctx, auth, chargeID, 0); err != nil {
		return nil, err
	}
	return s.FindReview(ctx, auth, chargeID)
}

// RejectReview implements [kessai.ReviewService]: the held charge's
// authorization is reversed, with its charge.reverse event.
func (s *Service) RejectReview(ctx context.Context, auth *kessai.Auth, chargeID string) (*kessai.Review, error) {
	if _, err := s.FindReview(ctx, auth, chargeID); err != nil {
		return nil, err
	}
	if _, err := s.ReverseCharge(ctx, auth, chargeID); err != nil {
		return nil, err
	}
	return s.FindReview(ctx, auth, chargeID)
}
