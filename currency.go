package kessai

import "strings"

// CurrencyExponent returns the number of minor-unit digits of an ISO 4217
// currency: 0 for JPY (and the other zero-decimal currencies Kessai knows),
// 2 otherwise. As in the Omise API, JPY is the only zero-decimal currency.
func CurrencyExponent(currency string) int {
	if strings.EqualFold(currency, "jpy") {
		return 0
	}
	return 2
}

// SupportedCurrencies returns the currencies an account of the given country
// may charge in, lowercase.
func SupportedCurrencies(country string) []string {
	return []string{"aud", "cad", "chf", "cny", "dkk", "eur", "gbp", "hkd", "idr", "jpy", "myr", "sgd", "thb", "usd"}
}
