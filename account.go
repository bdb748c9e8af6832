package kessai

import (
	"context"
	"time"
)

// Account is a merchant account. Every object belongs to one account and one
// mode (test or live); test and live data never mix.
type Account struct {
	Object     string  `json:"object"` // "account"
	ID         string  `json:"id"`
	Livemode   bool    `json:"livemode"`
	Location   string  `json:"location"`
	Email      string  `json:"email"`
	Currency   string  `json:"currency"` // default currency, lowercase ISO 4217
	Country    string  `json:"country"`  // ISO 3166-1 alpha-2, uppercase
	Team       string  `json:"team"`
	WebhookURI *string `json:"webhook_uri"`
	APIVersion string  `json:"api_version"`
	// SupportedCurrencies lists the currencies charges may use.
	SupportedCurrencies []string `json:"supported_currencies"`
	CreatedAt           Time     `json:"created_at"`
	// ThreeDSecure says which charges with a return_uri go through 3-D
	// Secure: [ThreeDSRequired] or [ThreeDSWhenAsked]; never empty once
	// read (a Kessai extension).
	ThreeDSecure string `json:"three_d_secure"`
	// ThreeDSecureUnavailable says what a charge does when the issuer
	// cannot authenticate (transStatus U): [ThreeDSDecline] or
	// [ThreeDSAuthorize]; never empty once read (a Kessai extension).
	ThreeDSecureUnavailable string `json:"three_d_secure_unavailable"`
}

// The values of [Account.ThreeDSecure].
const (
	// ThreeDSRequired: every charge with a return_uri is authenticated.
	ThreeDSRequired = "required"
	// ThreeDSWhenAsked: only charges sent with authentication=3DS, or
	// that the fraud rules send to 3-D Secure, are authenticated.
	ThreeDSWhenAsked = "when_asked"
)

// The values of [Account.ThreeDSecureUnavailable].
const (
	// ThreeDSDecline fails the charge without an authorization.
	ThreeDSDecline = "decline"
	// ThreeDSAuthorize authorizes the charge without authentication data
	// (ECI 07 or 00, no CAVV): no liability shift.
	ThreeDSAuthorize = "authorize"
)

// DefaultThreeDSecure returns an account's 3-D Secure setting when none is
// stored: required for JPY accounts (Japan's Credit Card Security
// Guidelines: every card-not-present payment is authenticated), when_asked
// otherwise.
func DefaultThreeDSecure(currency string) string {
	if currency == "jpy" {
		return ThreeDSRequired
	}
	return ThreeDSWhenAsked
}

// ThreeDSecureSettings is a change of an account's 3-D Secure settings:
// a nil field stays as it is, "" goes back to the default.
type ThreeDSecureSettings struct {
	Mode        *string
	Unavailable *string
}

// Validate fails with EBadRequest, naming the field, for a value that is
// neither empty nor one of the documented ones.
func (s ThreeDSecureSettings) Validate() error {
	if s.Mode != nil && *s.Mode != "" && *s.Mode != ThreeDSRequired && *s.Mode != ThreeDSWhenAsked {
		return Errorf(EBadRequest, "three_d_secure must be required or when_asked (or empty for the default)")
	}
	if s.Unavailable != nil && *s.Unavailable != "" && *s.Unavailable != ThreeDSDecline && *s.Unavailable != ThreeDSAuthorize {
		return Errorf(EBadRequest, "three_d_secure_unavailable must be decline or authorize (or empty for the default)")
	}
	return nil
}

// KeyKind tells a public key (tokens only) from a secret key (everything else).
type KeyKind string

// The two kinds of API key.
const (
	PublicKey KeyKind = "public"
	SecretKey KeyKind = "secret"
)

// APIKey is a stored API key. The key itself is shown once, when it is
// created; only its hash is stored.
type APIKey struct {
	ID        string
	AccountID string
	Kind      KeyKind
	Livemode  bool
	// Key is the credential, set only on the value returned at creation.
	Key Secret
	// Hint is the key's prefix and last four characters, for listings.
	Hint      string
	CreatedAt time.Time
	// ExpiresAt is set when the key was rolled: it stays valid until then.
	ExpiresAt *time.Time
}

// Secret is a credential string that never prints itself.
type Secret string

// String returns a fixed mask, so that a Secret cannot reach a log by accident.
func (Secret) String() string { return "[secret]" }

// GoString returns a fixed mask.
func (Secret) GoString() string { return "[secret]" }

// Reveal returns the credential itself.
func (s Secret) Reveal() string { return string(s) }

// Auth is who made a request: an account, a mode and the kind of key used.
type Auth struct {
	AccountID string
	Livemode  bool
	Kind      KeyKind
	KeyID     string
}

// KeyPrefix returns the prefix of a key of this kind and mode:
// "pkey_test_", "skey_test_", "pkey_" or "skey_".
func KeyPrefix(kind KeyKind, livemode bool) string {
	p := "pkey_"
	if kind == SecretKey {
		p = "skey_"
	}
	if !livemode {
		p += "test_"
	}
	return p
}

// AccountService manages accounts and their API keys.
type AccountService interface {
	// CreateAccount stores a new account; a.ID and a.CreatedAt are filled in.
	CreateAccount(ctx context.Context, a *Account) error
	// FindAccount returns the account. Returns ENotFound if there is none.
	FindAccount(ctx context.Context, id string) (*Account, error)
	// CreateKey creates an API key. If key is empty a random one is made;
	// otherwise it must have the right prefix and 19 characters of [0-9a-z]
	// (EBadRequest if not, EConflict if it exists). The result carries the key.
	CreateKey(ctx context.Context, accountID string, kind KeyKind, livemode bool, key string) (*APIKey, error)
	// ListKeys returns the account's keys, newest first, without the keys themselves.
	ListKeys(ctx context.Context, accountID string) ([]*APIKey, error)
	// RollKey creates a new key of the kind and mode and makes every older one
	// expire after grace (at once for grace 0). Returns the new key.
	RollKey(ctx context.Context, accountID string, kind KeyKind, livemode bool, grace time.Duration) (*APIKey, error)
	// Authenticate returns who a key belongs to. Returns
	// EAuthenticationFailure for an unknown, malformed or expired key.
	Authenticate(ctx context.Context, key string) (*Auth, error)
}
