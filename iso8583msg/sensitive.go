package iso8583msg

import (
	"fmt"
	"log/slog"
)

// PAN is a card number in a message. It masks itself in every textual form
// except [PAN.Reveal], which the codec and the issuer use.
type PAN string

// Reveal returns the digits.
func (p PAN) Reveal() string { return string(p) }

// Last4 returns the last four digits, or "" when there are fewer.
func (p PAN) Last4() string {
	if len(p) < 4 {
		return ""
	}
	return string(p[len(p)-4:])
}

// String returns the masked number, such as "****4242".
func (p PAN) String() string { return maskPAN(string(p)) }

// GoString returns the masked number.
func (p PAN) GoString() string { return p.String() }

// Format writes the masked number for every verb.
func (p PAN) Format(f fmt.State, verb rune) { fmt.Fprint(f, p.String()) }

// LogValue returns the masked number for log/slog.
func (p PAN) LogValue() slog.Value { return slog.StringValue(p.String()) }

// MarshalText writes the masked number.
func (p PAN) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// Sensitive is a secret value in a message, such as a CVV2 or a CAVV. It
// masks itself in every textual form except [Sensitive.Reveal].
type Sensitive string

// Reveal returns the value.
func (s Sensitive) Reveal() string { return string(s) }

// String returns "***" for a set value and "" for an empty one.
func (s Sensitive) String() string {
	if s == "" {
		return ""
	}
	return mask
}

// GoString returns the mask.
func (s Sensitive) GoString() string { return s.String() }

// Format writes the mask for every verb.
func (s Sensitive) Format(f fmt.State, verb rune) { fmt.Fprint(f, s.String()) }

// LogValue returns the mask for log/slog.
func (s Sensitive) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText writes the mask.
func (s Sensitive) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

const mask = "***"

// maskPAN keeps the last four digits of a card number.
func maskPAN(s string) string {
	if s == "" {
		return ""
	}
	if len(s) <= 4 {
		return "****"
	}
	return "****" + s[len(s)-4:]
}
