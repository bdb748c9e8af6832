package threeds

import (
	"fmt"
	"log/slog"
)

// AcctNumber is the card number (or token) an AReq carries. It goes on
// the wire in clear, as the protocol needs, but masks itself everywhere
// else: fmt verbs, slog and GoString show only the first six and last
// four digits.
type AcctNumber string

// Masked returns the number with all but the first six and last four
// digits replaced by '*', or "****" when it is too short to mask.
func (n AcctNumber) Masked() string {
	s := string(n)
	if len(s) < 13 {
		return "****"
	}
	b := []byte(s)
	for i := 6; i < len(b)-4; i++ {
		b[i] = '*'
	}
	return string(b)
}

// Last4 returns the last four characters, or "" when there are fewer.
func (n AcctNumber) Last4() string {
	if len(n) < 4 {
		return ""
	}
	return string(n[len(n)-4:])
}

// String returns the masked number.
func (n AcctNumber) String() string { return n.Masked() }

// GoString returns the masked number.
func (n AcctNumber) GoString() string { return "threeds.AcctNumber(" + n.Masked() + ")" }

// Format prints the masked number for every verb.
func (n AcctNumber) Format(f fmt.State, verb rune) { fmt.Fprint(f, n.Masked()) }

// LogValue returns the masked number.
func (n AcctNumber) LogValue() slog.Value { return slog.StringValue(n.Masked()) }
