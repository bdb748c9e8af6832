package card_test

import (
	"testing"

	"github.com/kessai/kessai/card"
)

func TestWithCheckDigit(t *testing.T) {
	for _, n := range []string{"4242424242424242", "4000000000001000", "5555555555554444", "378282246310005", "3530111333300000"} {
		if got := card.WithCheckDigit(n[:len(n)-1]); got != n {
			t.Errorf("WithCheckDigit(%s) = %s, want %s", n[:len(n)-1], got, n)
		}
	}
}
