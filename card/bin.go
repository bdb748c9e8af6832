package card

import "strings"

// BINInfo is what the issuer identification number tells about a card.
type BINInfo struct {
	Country   string // ISO 3166-1 alpha-2, lowercase
	Financing string // "credit", "debit", "prepaid" or ""
	Bank      string
}

// binTable maps number prefixes to issuers; the longest matching prefix wins.
// It covers the documented test cards; a real deployment loads a BIN file.
var binTable = map[string]BINInfo{
	"424242": {"us", "credit", "Kessai Test Bank"},
	"411111": {"us", "credit", "Kessai Test Bank"},
	"400000": {"us", "debit", "Kessai Test Bank"},
	"555555": {"us", "credit", "Kessai Test Bank"},
	"545454": {"us", "credit", "Kessai Test Bank"},
	"353011": {"jp", "credit", "Kessai Test Card Company"},
	"356611": {"jp", "credit", "Kessai Test Card Company"},
	"378282": {"us", "credit", "Kessai Test Bank"},
	"377138": {"us", "credit", "Kessai Test Bank"},
	"644703": {"us", "credit", "Kessai Test Bank"},
	"360210": {"us", "credit", "Kessai Test Bank"},
	"625094": {"cn", "credit", "Kessai Test Bank"},
}

// defaultCountry is the usual home of a brand's cards when the BIN is unknown.
var defaultCountry = map[Brand]string{JCB: "jp", UnionPay: "cn"}

// LookupBIN returns what is known of the card's issuer. Unknown numbers get
// the brand's usual country (or "us") and credit financing.
func LookupBIN(n Number) BINInfo { return LookupPrefix(n.digits) }

// LookupPrefix is [LookupBIN] for the leading digits of a number (at least
// its six-digit BIN), as stored beside a card.
func LookupPrefix(d string) BINInfo {
	for l := min(8, len(d)); l >= 6; l-- {
		if info, ok := binTable[d[:l]]; ok {
			return info
		}
	}
	c := defaultCountry[BrandOf(d)]
	if c == "" {
		c = "us"
	}
	return BINInfo{Country: strings.ToLower(c), Financing: "credit"}
}
