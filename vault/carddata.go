package vault

import (
	"fmt"
	"log/slog"

	"github.com/kessai/kessai/card"
)

// CardData is cardholder data revealed for the card network: what an
// authorization request carries. Its sensitive fields mask themselves, and
// so does CardData as a whole in fmt and slog; use Number.Reveal and
// SecurityCode.Reveal only to build the network message.
type CardData struct {
	CardID          string
	Number          card.Number
	ExpirationMonth int
	ExpirationYear  int
	// SecurityCode is the zero value when the vault no longer holds it
	// (revealed before, token expired) or it was never given.
	SecurityCode card.SecurityCode
	Name         string
}

// String describes the card without its number or code.
func (d *CardData) String() string {
	code := "none"
	if !d.SecurityCode.IsZero() {
		code = "held"
	}
	return fmt.Sprintf("CardData{%s %s %02d/%d security_code=%s}", d.CardID, d.Number.Masked(), d.ExpirationMonth, d.ExpirationYear, code)
}

// GoString is String.
func (d *CardData) GoString() string { return d.String() }

// Format writes String for every verb.
func (d *CardData) Format(f fmt.State, _ rune) { fmt.Fprint(f, d.String()) }

// LogValue returns String for log/slog.
func (d *CardData) LogValue() slog.Value { return slog.StringValue(d.String()) }
