package kessai

import "context"

// Refund statuses: pending while the refund is on its way to the card
// network, closed once it is done, failed if the network refused it.
const (
	RefundPending = "pending"
	RefundClosed  = "closed"
	RefundFailed  = "failed"
)

// Refund is the Omise Refund object of API version 2019-05-29.
type Refund struct {
	Object          string   `json:"object"` // "refund"
	ID              string   `json:"id"`
	Livemode        bool     `json:"livemode"`
	Location        string   `json:"location"`
	Amount          int64    `json:"amount"`
	Currency        string   `json:"currency"`
	FundingAmount   int64    `json:"funding_amount"`
	FundingCurrency string   `json:"funding_currency"`
	Charge          string   `json:"charge"`
	Transaction     *string  `json:"transaction"`
	Status          string   `json:"status"`
	Voided          bool     `json:"voided"`
	Metadata        Metadata `json:"metadata"`
	CreatedAt       Time     `json:"created_at"`

	// AccountID is the account of the refunded charge.
	AccountID string `json:"-"`
	// NetworkRef is the network link's reference of the refund.
	NetworkRef string `json:"-"`
}

// Derive sets the object, the location, the funding fields and an empty
// metadata object.
func (r *Refund) Derive() {
	r.Object = "refund"
	r.Location = ChargeLocation(r.Charge) + "/refunds/" + r.ID
	r.FundingAmount, r.FundingCurrency = r.Amount, r.Currency
	if r.Metadata == nil {
		r.Metadata = Metadata{}
	}
}

// RefundInput is what POST /charges/:id/refunds asks for.
type RefundInput struct {
	Amount   int64
	Metadata Metadata
	// Void asks for the refund to be made as a void where the network allows.
	Void bool
}

// RefundService manages refunds of charges within auth's account and mode.
type RefundService interface {
	// CreateRefund refunds amount of a captured charge over the card
	// network. Refunds never change the charge's status; its
	// refunded_amount grows. Returns the errors of [Charge.CheckRefund],
	// ENotFound, and EFailedRefund when the network refuses it.
	CreateRefund(ctx context.Context, auth *Auth, chargeID string, in *RefundInput) (*Refund, error)
	// FindRefund returns a refund of a charge. Returns ENotFound.
	FindRefund(ctx context.Context, auth *Auth, chargeID, id string) (*Refund, error)
	// ListRefunds returns a page of a charge's refunds. Returns ENotFound
	// for an unknown charge.
	ListRefunds(ctx context.Context, auth *Auth, chargeID string, p ListParams) (*List[*Refund], error)
}
