package bench

import (
	"math/rand/v2"
	"strconv"
	"time"
)

// testCards are the Omise test cards that are always approved
// (omise-api.md §7), with the length of their security code.
var testCards = []struct {
	number  string
	cvcLen  int
	network string
}{
	{"4242424242424242", 3, "Visa"},
	{"4111111111111111", 3, "Visa"},
	{"5555555555554444", 3, "MasterCard"},
	{"5454545454545454", 3, "MasterCard"},
	{"3530111333300000", 3, "JCB"},
	{"3566111111111113", 3, "JCB"},
	{"378282246310005", 4, "American Express"},
	{"36021042000004", 3, "Diners Club"},
	{"6250947000000006", 3, "UnionPay"},
	{"6447032400000000001", 3, "Discover"},
}

var names = []string{"Somchai Prasert", "Yamada Taro", "Nguyen Van An", "Siti Aminah", "John Doe"}

// testCard is the card data of one token request.
type testCard struct {
	Name            string `json:"name"`
	Number          string `json:"number"`
	ExpirationMonth int    `json:"expiration_month"`
	ExpirationYear  int    `json:"expiration_year"`
	SecurityCode    string `json:"security_code"`
	City            string `json:"city"`
	PostalCode      string `json:"postal_code"`
}

// randomCard returns a random approved test card with an expiry one to
// five years after now and a random security code.
func randomCard(now time.Time) testCard {
	c := testCards[rand.IntN(len(testCards))]
	cvc := ""
	for range c.cvcLen {
		cvc += strconv.Itoa(rand.IntN(10))
	}
	return testCard{
		Name:            names[rand.IntN(len(names))],
		Number:          c.number,
		ExpirationMonth: 1 + rand.IntN(12),
		ExpirationYear:  now.Year() + 1 + rand.IntN(5),
		SecurityCode:    cvc,
		City:            "Bangkok",
		PostalCode:      "10320",
	}
}
