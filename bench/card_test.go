package bench

import (
	"strconv"
	"testing"
	"time"

	"github.com/kessai/kessai/card"
)

func TestTestCardsAreValid(t *testing.T) {
	for _, c := range testCards {
		n, err := card.ParseNumber(c.number)
		if err != nil {
			t.Errorf("%s: %v", c.network, err)
			continue
		}
		if got := string(n.Brand()); got != c.network {
			t.Errorf("%s is %q, want %q", c.number[:6], got, c.network)
		}
		if got := n.Brand().SecurityCodeLength(); got != c.cvcLen {
			t.Errorf("%s: security code length %d, want %d", c.network, c.cvcLen, got)
		}
	}
}

func TestRandomCard(t *testing.T) {
	now := time.Now()
	for range 200 {
		c := randomCard(now)
		raw := card.RawInput{
			Name: c.Name, Number: c.Number, SecurityCode: c.SecurityCode,
			ExpirationMonth: strconv.Itoa(c.ExpirationMonth), ExpirationYear: strconv.Itoa(c.ExpirationYear),
			City: c.City, PostalCode: c.PostalCode,
		}
		if _, err := raw.Parse(now); err != nil {
			t.Fatalf("random card %s… does not parse: %v", c.Number[:6], err)
		}
	}
}
