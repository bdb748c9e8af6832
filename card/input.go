package card

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Input is the card data sent to create a token.
type Input struct {
	Name            string
	Number          Number
	ExpirationMonth int
	ExpirationYear  int
	SecurityCode    SecurityCode
	Street1         string
	Street2         string
	City            string
	State           string
	PostalCode      string
	Country         string
	PhoneNumber     string
	Email           string
}

// RawInput is the card data as the client sent it, before parsing.
type RawInput struct {
	Name, Number, SecurityCode                string
	ExpirationMonth, ExpirationYear           string
	Street1, Street2, City, State, PostalCode string
	Country, PhoneNumber, Email               string
}

// Parse checks every field of raw and returns the card. It fails with a
// *FieldError naming the first bad field: a missing name or number, a number
// that fails Luhn or its brand's length, an expiry in the past (a card is
// valid to the end of its expiry month, in now's year and month), or a
// security code of the wrong length for the brand. The security code is
// optional.
func (raw *RawInput) Parse(now time.Time) (*Input, error) {
	in := &Input{
		Name:        strings.TrimSpace(raw.Name),
		Street1:     raw.Street1,
		Street2:     raw.Street2,
		City:        raw.City,
		State:       raw.State,
		PostalCode:  raw.PostalCode,
		Country:     strings.ToLower(strings.TrimSpace(raw.Country)),
		PhoneNumber: raw.PhoneNumber,
		Email:       raw.Email,
	}
	if in.Name == "" {
		return nil, fieldErr("name", "is required")
	}
	for _, f := range []struct{ name, v string }{
		{"name", in.Name}, {"street1", in.Street1}, {"street2", in.Street2}, {"city", in.City},
		{"state", in.State}, {"postal_code", in.PostalCode}, {"country", in.Country},
		{"phone_number", in.PhoneNumber}, {"email", in.Email},
	} {
		if !utf8.ValidString(f.v) || utf8.RuneCountInString(f.v) > 255 {
			return nil, fieldErr(f.name, "is invalid")
		}
	}
	if in.Country != "" && (len(in.Country) != 2 || !isLetters(in.Country)) {
		return nil, fieldErr("country", "must be a two-letter country code")
	}
	if strings.TrimSpace(raw.Number) == "" {
		return nil, fieldErr("number", "is required")
	}
	n, err := ParseNumber(raw.Number)
	if err != nil {
		return nil, err
	}
	in.Number = n
	month, ok := atoi(raw.ExpirationMonth)
	if raw.ExpirationMonth == "" {
		return nil, fieldErr("expiration_month", "is required")
	}
	if !ok || month < 1 || month > 12 {
		return nil, fieldErr("expiration_month", "must be between 1 and 12")
	}
	year, ok := atoi(raw.ExpirationYear)
	if raw.ExpirationYear == "" {
		return nil, fieldErr("expiration_year", "is required")
	}
	if ok && year < 100 && len(raw.ExpirationYear) <= 2 {
		year += 2000
	}
	if !ok || year < 1000 || year > 9999 {
		return nil, fieldErr("expiration_year", "is invalid")
	}
	in.ExpirationMonth, in.ExpirationYear = month, year
	if Expired(month, year, now) {
		return nil, fieldErr("expiration_month", "and expiration_year are in the past (card expired)")
	}
	if year > now.Year()+20 {
		return nil, fieldErr("expiration_year", "is too far in the future")
	}
	if raw.SecurityCode != "" {
		c, err := ParseSecurityCode(raw.SecurityCode, n.Brand())
		if err != nil {
			return nil, err
		}
		in.SecurityCode = c
	}
	return in, nil
}

// Expired reports whether a card expiring in month/year is expired at now:
// a card is valid through the last day of its expiry month.
func Expired(month, year int, now time.Time) bool {
	now = now.UTC()
	return year < now.Year() || (year == now.Year() && month < int(now.Month()))
}

func atoi(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}
