package acs

import "github.com/kessai/kessai/card"

// outcome is what a test card forces, whatever the risk rules say.
type outcome struct {
	status, reason string
	challenge      bool // a mandated challenge
	silent         bool // the ACS does not answer (the DS times out)
}

// Test card codes: the three digits before the check digit of the test
// numbers of [TestCards].
var testCodes = map[string]outcome{
	"100": {status: "Y"},               // frictionless, whatever the risk
	"200": {challenge: true},           // challenge, mandated
	"300": {status: "N", reason: "01"}, // not authenticated: authentication failed
	"400": {status: "R", reason: "11"}, // rejected: suspected fraud
	"500": {status: "U", reason: "22"}, // unavailable: ACS technical issue
	"600": {status: "A"},               // attempted: attempts server
	"700": {status: "I"},               // informational only
	"800": {silent: true},              // no answer: the DS answers Erro 402
}

// testPrefixes are the prefixes of the test numbers, per brand: prefix,
// code, Luhn check digit.
var testPrefixes = []struct {
	brand  card.Brand
	prefix string
}{
	{card.Visa, "400000000000"},
	{card.Mastercard, "520000000000"},
	{card.JCB, "353000000000"},
	{card.Amex, "34000000000"},
}

// omiseCards are the 3-D Secure failure cards of the Omise test cards
// (omise-api.md §7): enrolment fails (…0002) and validation fails
// (…0003); both end as payment_rejected.
var omiseCards = map[string]outcome{
	"4111111111150002": {status: "N", reason: "13"}, // not enrolled
	"5555551111120002": {status: "N", reason: "13"},
	"3530111111100002": {status: "N", reason: "13"},
	"4111111111140003": {status: "N", reason: "01"}, // authentication failed
	"5555551111110003": {status: "N", reason: "01"},
	"3530111111190003": {status: "N", reason: "01"},
}

// TestCard is a documented test card number and what the ACS does with it.
type TestCard struct {
	Number  string
	Brand   card.Brand
	Outcome string // in words
}

// TestCards returns the ACS's test cards, for documentation and tests.
func TestCards() []TestCard {
	words := map[string]string{
		"100": "Y frictionless (whatever the risk)",
		"200": "C challenge (mandated)",
		"300": "N not authenticated (reason 01)",
		"400": "R rejected (reason 11, suspected fraud)",
		"500": "U unavailable (reason 22, ACS technical issue)",
		"600": "A attempted (ECI 06/01 and a CAVV)",
		"700": "I informational only",
		"800": "no ARes: the DS answers Erro 402",
	}
	var out []TestCard
	for _, p := range testPrefixes {
		for _, code := range []string{"100", "200", "300", "400", "500", "600", "700", "800"} {
			out = append(out, TestCard{Number: card.WithCheckDigit(p.prefix + code), Brand: p.brand, Outcome: words[code]})
		}
	}
	for _, n := range []string{"4111111111150002", "5555551111120002", "3530111111100002"} {
		out = append(out, TestCard{Number: n, Brand: card.BrandOf(n), Outcome: "N not enrolled (reason 13): Omise's \"3DS enrolment fails\""})
	}
	for _, n := range []string{"4111111111140003", "5555551111110003", "3530111111190003"} {
		out = append(out, TestCard{Number: n, Brand: card.BrandOf(n), Outcome: "N authentication failed (reason 01): Omise's \"3DS validation fails\""})
	}
	return out
}

// testOutcome returns the forced outcome of a card number, or false.
func testOutcome(number string) (outcome, bool) {
	if o, ok := omiseCards[number]; ok {
		return o, true
	}
	for _, p := range testPrefixes {
		if len(number) == len(p.prefix)+4 && number[:len(p.prefix)] == p.prefix && card.WithCheckDigit(number[:len(number)-1]) == number {
			o, ok := testCodes[number[len(p.prefix):len(number)-1]]
			return o, ok
		}
	}
	return outcome{}, false
}
