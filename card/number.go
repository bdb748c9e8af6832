package card

import (
	"fmt"
	"log/slog"
	"strings"
)

// Number is a card number (PAN): digits only, Luhn-valid, 12 to 19 long.
// It masks itself everywhere; use [Number.Reveal] to get the digits.
type Number struct{ digits string }

// ParseNumber returns the number in s, which may contain spaces and dashes
// between digits. It fails with a *FieldError for "number" when s has other
// characters, a wrong length for its brand, or a bad Luhn check digit.
func ParseNumber(s string) (Number, error) {
	if len(s) > 64 {
		return Number{}, fieldErr("number", "is too long")
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == ' ' || c == '-':
		default:
			return Number{}, fieldErr("number", "must contain only digits")
		}
	}
	d := b.String()
	if d == "" {
		return Number{}, fieldErr("number", "is required")
	}
	if len(d) < 12 || len(d) > 19 {
		return Number{}, fieldErr("number", "has an invalid length")
	}
	if !luhnValid(d) {
		return Number{}, fieldErr("number", "is invalid (check digit)")
	}
	brand := BrandOf(d)
	if brand == Unknown {
		return Number{}, fieldErr("number", "is of an unsupported brand")
	}
	if !brand.validLength(len(d)) {
		return Number{}, fieldErr("number", fmt.Sprintf("has an invalid length for %s", brand))
	}
	return Number{digits: d}, nil
}

// MustParseNumber is ParseNumber for tests and constants; it panics on error.
func MustParseNumber(s string) Number {
	n, err := ParseNumber(s)
	if err != nil {
		panic(err)
	}
	return n
}

// luhnValid reports whether the digit string passes the Luhn (mod 10) check.
func luhnValid(d string) bool { return luhnSum(d, false)%10 == 0 }

// WithCheckDigit returns the digit string d with its Luhn check digit
// appended (test card numbers are made this way).
func WithCheckDigit(d string) string {
	return d + string(rune('0'+(10-luhnSum(d, true)%10)%10))
}

// luhnSum returns the Luhn sum of the digits d, doubling the last digit
// when double is set and every second one from there.
func luhnSum(d string, double bool) int {
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if double {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
		double = !double
	}
	return sum
}

// Reveal returns the digits. Call it only where the number must leave the
// vault boundary for the card network.
func (n Number) Reveal() string { return n.digits }

// IsZero reports whether n holds no number.
func (n Number) IsZero() bool { return n.digits == "" }

// Brand returns the card brand of the number.
func (n Number) Brand() Brand { return BrandOf(n.digits) }

// Last4 returns the last four digits.
func (n Number) Last4() string {
	if len(n.digits) < 4 {
		return ""
	}
	return n.digits[len(n.digits)-4:]
}

// BIN returns the first six digits (the issuer identification number).
func (n Number) BIN() string {
	if len(n.digits) < 6 {
		return ""
	}
	return n.digits[:6]
}

// Masked returns the number as "••••4242".
func (n Number) Masked() string {
	if n.digits == "" {
		return ""
	}
	return "••••" + n.Last4()
}

// String returns the masked number.
func (n Number) String() string { return n.Masked() }

// GoString returns the masked number.
func (n Number) GoString() string { return "card.Number(" + n.Masked() + ")" }

// Format writes the masked number for every verb, so that %v, %s, %q, %x and
// %d never print the digits.
func (n Number) Format(f fmt.State, verb rune) { fmt.Fprint(f, n.Masked()) }

// LogValue returns the masked number for log/slog.
func (n Number) LogValue() slog.Value { return slog.StringValue(n.Masked()) }

// MarshalJSON writes the masked number, never the digits.
func (n Number) MarshalJSON() ([]byte, error) { return []byte(`"` + n.Masked() + `"`), nil }

// MarshalText writes the masked number, never the digits.
func (n Number) MarshalText() ([]byte, error) { return []byte(n.Masked()), nil }
