package kessai

import "context"

// EventReviewOpen is the key of the event written, in the write that stores
// a charge held for review, with the open [Review] as data.
const EventReviewOpen = "review.open"

// Review closing reasons ([Review.ClosedReason]).
const (
	ReviewApproved = "approved" // the merchant captured the charge
	ReviewRejected = "rejected" // the merchant reversed the charge
	ReviewExpired  = "expired"  // nobody decided before the authorization expired
	ReviewFailed   = "failed"   // the authorization itself failed
)

// Review is a charge a review rule held: it was authorized but not
// captured, whatever its capture parameter asked, and waits for a merchant
// to approve it (capture) or reject it (reverse). Its id is the charge's.
type Review struct {
	Object   string `json:"object"` // "fraud_review"
	ID       string `json:"id"`
	Livemode bool   `json:"livemode"`
	Location string `json:"location"`
	// Open is true while the charge is authorized and neither captured,
	// reversed nor expired.
	Open bool `json:"open"`
	// ClosedReason is one of the Review* reasons once the review is
	// closed, null while it is open.
	ClosedReason *string        `json:"closed_reason"`
	Charge       *Charge        `json:"charge"`
	Decision     *FraudDecision `json:"decision"`
	CreatedAt    Time           `json:"created_at"`
}

// NewReview returns the review of a charge held by decision d,
// deriving its state from the charge's status.
func NewReview(ch *Charge, d *FraudDecision) *Review {
	rv := &Review{Object: "fraud_review", ID: ch.ID, Livemode: ch.Livemode, Location: "/fraud/reviews/" + ch.ID,
		Charge: ch, Decision: d, CreatedAt: ch.CreatedAt}
	reason := ""
	switch ch.Status {
	case ChargeSuccessful:
		reason = ReviewApproved
	case ChargeReversed:
		reason = ReviewRejected
	case ChargeExpired:
		reason = ReviewExpired
	case ChargeFailed:
		reason = ReviewFailed
	default:
		rv.Open = true
	}
	if reason != "" {
		rv.ClosedReason = &reason
	}
	return rv
}

// ReviewService is the review queue of charges held by review rules.
type ReviewService interface {
	// ListReviews returns a page of an account's reviews, newest first by
	// default: the open ones when open is true, all of them otherwise.
	ListReviews(ctx context.Context, auth *Auth, open bool, p ListParams) (*List[*Review], error)
	// FindReview returns the review of a charge; ENotFound when the charge
	// does not exist or was not held for review.
	FindReview(ctx context.Context, auth *Auth, chargeID string) (*Review, error)
	// ApproveReview captures a held charge in full and returns its closed
	// review; ENotFound as FindReview, EFailedCapture when the charge
	// cannot be captured (already closed, or the network refused).
	ApproveReview(ctx context.Context, auth *Auth, chargeID string) (*Review, error)
	// RejectReview reverses a held charge's authorization and returns its
	// closed review; ENotFound as FindReview, EFailedReverse when the
	// charge cannot be reversed.
	RejectReview(ctx context.Context, auth *Auth, chargeID string) (*Review, error)
}
