package card

import (
	"fmt"
	"log/slog"
)

// SecurityCode is a card security code (CVV2, CVC2, CID). It masks itself
// everywhere; use [SecurityCode.Reveal] to get the digits.
type SecurityCode struct{ digits string }

// ParseSecurityCode returns the code for a card of the given brand. It fails
// with a *FieldError for "security_code" unless s is all digits of the
// brand's length.
func ParseSecurityCode(s string, b Brand) (SecurityCode, error) {
	want := b.SecurityCodeLength()
	if len(s) != want {
		return SecurityCode{}, fieldErr("security_code", fmt.Sprintf("must be %d digits", want))
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return SecurityCode{}, fieldErr("security_code", "must contain only digits")
		}
	}
	return SecurityCode{digits: s}, nil
}

// NewSecurityCode wraps digits that were validated before, such as a code
// the vault decrypted. It does no checks.
func NewSecurityCode(digits string) SecurityCode { return SecurityCode{digits: digits} }

// Reveal returns the digits.
func (c SecurityCode) Reveal() string { return c.digits }

// IsZero reports whether no code is held.
func (c SecurityCode) IsZero() bool { return c.digits == "" }

// String returns a fixed mask.
func (c SecurityCode) String() string {
	if c.digits == "" {
		return ""
	}
	return "•••"
}

// GoString returns a fixed mask.
func (c SecurityCode) GoString() string { return "card.SecurityCode(" + c.String() + ")" }

// Format writes the mask for every verb.
func (c SecurityCode) Format(f fmt.State, verb rune) { fmt.Fprint(f, c.String()) }

// LogValue returns the mask for log/slog.
func (c SecurityCode) LogValue() slog.Value { return slog.StringValue(c.String()) }

// MarshalJSON writes the mask, never the digits.
func (c SecurityCode) MarshalJSON() ([]byte, error) { return []byte(`"` + c.String() + `"`), nil }

// MarshalText writes the mask, never the digits.
func (c SecurityCode) MarshalText() ([]byte, error) { return []byte(c.String()), nil }
