package kessai

import "context"

// Balance is the Omise Balance object: the account's money in one currency.
// Total is every credit minus every debit; Transferable is the part that can
// be paid out now (credits whose transferable_at has passed, minus every
// debit); Reserve is held back (always 0 here).
type Balance struct {
	Object       string `json:"object"` // "balance"
	Livemode     bool   `json:"livemode"`
	Location     string `json:"location"` // "/balance"
	Currency     string `json:"currency"`
	Total        int64  `json:"total"`
	Transferable int64  `json:"transferable"`
	Reserve      int64  `json:"reserve"`
	CreatedAt    Time   `json:"created_at"`
}

// Derive sets the object and the location.
func (b *Balance) Derive() {
	b.Object = "balance"
	b.Location = "/balance"
}

// BalanceService reads the account's balance.
type BalanceService interface {
	// Balance returns the balance in the account's currency.
	Balance(ctx context.Context, auth *Auth) (*Balance, error)
}
