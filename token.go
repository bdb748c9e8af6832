package kessai

import (
	"context"

	"github.com/kessai/kessai/card"
)

// Card is the Omise Card object: what anyone outside the vault may know of a
// card. It never holds the number or the security code.
type Card struct {
	Object             string  `json:"object"` // "card"
	ID                 string  `json:"id"`
	Livemode           bool    `json:"livemode"`
	Location           *string `json:"location"`
	Deleted            bool    `json:"deleted"`
	Street1            *string `json:"street1"`
	Street2            *string `json:"street2"`
	City               *string `json:"city"`
	State              *string `json:"state"`
	PhoneNumber        *string `json:"phone_number"`
	PostalCode         *string `json:"postal_code"`
	Country            string  `json:"country"`
	Financing          string  `json:"financing"`
	Bank               string  `json:"bank"`
	Brand              string  `json:"brand"`
	Fingerprint        string  `json:"fingerprint"`
	FirstDigits        *string `json:"first_digits"`
	LastDigits         string  `json:"last_digits"`
	Name               string  `json:"name"`
	ExpirationMonth    int     `json:"expiration_month"`
	ExpirationYear     int     `json:"expiration_year"`
	SecurityCodeCheck  bool    `json:"security_code_check"`
	TokenizationMethod *string `json:"tokenization_method"`
	CreatedAt          Time    `json:"created_at"`

	// AccountID and CustomerID are internal: who owns the card, and the
	// customer it is attached to ("" when it is not).
	AccountID  string `json:"-"`
	CustomerID string `json:"-"`
}

// Token is the Omise Token object: a single-use reference to a card that the
// vault holds.
type Token struct {
	Object       string `json:"object"` // "token"
	ID           string `json:"id"`
	Livemode     bool   `json:"livemode"`
	Location     string `json:"location"`
	Used         bool   `json:"used"`
	ChargeStatus string `json:"charge_status"` // "unknown" until a charge uses it
	Card         *Card  `json:"card"`
	CreatedAt    Time   `json:"created_at"`

	// AccountID is internal: the account whose public key created the token.
	AccountID string `json:"-"`
	// ClientIP is internal: the address that created the token.
	ClientIP string `json:"-"`
	// ExpiresAt is internal: after it the token cannot be used and its
	// security code is destroyed.
	ExpiresAt Time `json:"-"`
}

// TokenService turns card data into tokens. It is implemented by the vault,
// the only part of Kessai that sees card numbers.
type TokenService interface {
	// CreateToken validates the card data and stores the card encrypted.
	// Returns EInvalidCard with a message naming the field when the card is
	// not valid, and changes nothing then.
	CreateToken(ctx context.Context, auth *Auth, raw *card.RawInput, clientIP string) (*Token, error)
	// FindToken returns a token of the caller's account and mode. Returns
	// ENotFound if there is none.
	FindToken(ctx context.Context, auth *Auth, id string) (*Token, error)
}
