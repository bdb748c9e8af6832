package iso8583msg

import "strings"

// currencies maps lowercase ISO 4217 alphabetic codes to numeric ones, for
// the currencies a merchant may charge in.
var currencies = map[string]string{
	"aud": "036", "bhd": "048", "cad": "124", "chf": "756", "cny": "156",
	"dkk": "208", "eur": "978", "gbp": "826", "hkd": "344", "idr": "360",
	"inr": "356", "jpy": "392", "khr": "116", "krw": "410", "kwd": "414",
	"lak": "418", "mmk": "104", "myr": "458", "nok": "578", "nzd": "554",
	"php": "608", "sek": "752", "sgd": "702", "thb": "764", "twd": "901",
	"usd": "840", "vnd": "704",
}

var currencyAlpha = func() map[string]string {
	m := make(map[string]string, len(currencies))
	for a, n := range currencies {
		m[n] = a
	}
	return m
}()

// CurrencyNumeric returns the ISO 4217 numeric code (DE49) of an alphabetic
// code such as "jpy" or "JPY", and false for a currency the network does not
// carry.
func CurrencyNumeric(alpha string) (string, bool) {
	n, ok := currencies[strings.ToLower(alpha)]
	return n, ok
}

// CurrencyAlpha returns the lowercase alphabetic code of a numeric ISO 4217
// code, and false for an unknown one.
func CurrencyAlpha(numeric string) (string, bool) {
	a, ok := currencyAlpha[numeric]
	return a, ok
}
