package card

import "strconv"

// Brand is a card scheme, named as the Card object's "brand" field names it.
type Brand string

// The supported brands.
const (
	Unknown    Brand = ""
	Visa       Brand = "Visa"
	Mastercard Brand = "MasterCard"
	JCB        Brand = "JCB"
	Amex       Brand = "American Express"
	Diners     Brand = "Diners Club"
	Discover   Brand = "Discover"
	UnionPay   Brand = "UnionPay"
)

// BrandOf returns the brand of a digit string from its leading digits, or
// Unknown.
func BrandOf(d string) Brand {
	p := func(n int) int {
		if len(d) < n {
			return -1
		}
		v, err := strconv.Atoi(d[:n])
		if err != nil {
			return -1
		}
		return v
	}
	switch {
	case p(2) == 34 || p(2) == 37:
		return Amex
	case p(4) >= 3528 && p(4) <= 3589:
		return JCB
	case p(3) >= 300 && p(3) <= 305, p(2) == 36, p(2) == 38, p(2) == 39, p(4) == 3095:
		return Diners
	case p(2) >= 51 && p(2) <= 55, p(4) >= 2221 && p(4) <= 2720:
		return Mastercard
	case p(2) == 62 || p(2) == 81:
		return UnionPay
	case p(4) == 6011, p(2) == 65, p(3) >= 644 && p(3) <= 649:
		return Discover
	case p(1) == 4:
		return Visa
	}
	return Unknown
}

// validLength reports whether a number of n digits is valid for the brand.
func (b Brand) validLength(n int) bool {
	switch b {
	case Visa:
		return n == 13 || n == 16 || n == 19
	case Mastercard:
		return n == 16
	case JCB:
		return n >= 16 && n <= 19
	case Amex:
		return n == 15
	case Diners:
		return n >= 14 && n <= 19
	case Discover, UnionPay:
		return n >= 16 && n <= 19
	}
	return false
}

// SecurityCodeLength returns the length of the brand's security code: 4 for
// American Express, 3 for the others.
func (b Brand) SecurityCodeLength() int {
	if b == Amex {
		return 4
	}
	return 3
}
