package fraud

import (
	"math"
	"strings"
	"time"

	"github.com/kessai/kessai"
)

// Env is what a rule condition sees: one field per attribute, named by its
// expr tag. A missing attribute holds its zero value and its presence bit is
// clear; a rule that names it does not fire.
type Env struct {
	Amount          int64   `expr:"amount"`
	AmountMajor     float64 `expr:"amount_major"`
	AmountUSD       float64 `expr:"amount_usd"`
	Currency        string  `expr:"currency"`
	CardBrand       string  `expr:"card_brand"`
	CardBIN         string  `expr:"card_bin"`
	CardCountry     string  `expr:"card_country"`
	CardFunding     string  `expr:"card_funding"`
	CardFingerprint string  `expr:"card_fingerprint"`
	Customer        string  `expr:"customer"`
	Email           string  `expr:"email"`
	EmailDomain     string  `expr:"email_domain"`
	IP              string  `expr:"ip"`
	IPCountry       string  `expr:"ip_country"`
	BillingCountry  string  `expr:"billing_country"`
	ShippingCountry string  `expr:"shipping_country"`
	IsNewCard       bool    `expr:"is_new_card"`
	CustomerAgeDays float64 `expr:"customer_age_days"`
	RiskScore       int     `expr:"risk_score"`
	RiskLevel       string  `expr:"risk_level"`
	velocityFields

	present uint64
}

// Presence bits. Velocity attributes share their dimension's bit.
const (
	bitAmount = iota
	bitAmountUSD
	bitCurrency
	bitBrand
	bitBIN
	bitCardCountry
	bitFunding
	bitFingerprint
	bitCustomer
	bitEmail
	bitIP
	bitIPCountry
	bitBilling
	bitShipping
	bitNewCard
	bitCustomerAge
	bitRisk
)

// attrBits maps an attribute name to its presence bit.
var attrBits = func() map[string]int {
	m := map[string]int{
		"amount": bitAmount, "amount_major": bitAmount, "amount_usd": bitAmountUSD, "currency": bitCurrency,
		"card_brand": bitBrand, "card_bin": bitBIN, "card_country": bitCardCountry, "card_funding": bitFunding,
		"card_fingerprint": bitFingerprint, "customer": bitCustomer, "email": bitEmail, "email_domain": bitEmail,
		"ip": bitIP, "ip_country": bitIPCountry, "billing_country": bitBilling, "shipping_country": bitShipping,
		"is_new_card": bitNewCard, "customer_age_days": bitCustomerAge, "risk_score": bitRisk, "risk_level": bitRisk,
	}
	dimBit := [numDims]int{DimCard: bitFingerprint, DimIP: bitIP, DimEmail: bitEmail, DimCustomer: bitCustomer, DimBIN: bitBIN}
	for d, dn := range dimNames {
		for _, w := range windowNames {
			for _, metric := range []string{"attempts", "declines", "amount"} {
				m[metric+"_per_"+dn+"_"+w] = dimBit[d]
			}
			if Dim(d) == DimIP || Dim(d) == DimEmail {
				m["cards_per_"+dn+"_"+w] = dimBit[d]
			}
		}
	}
	return m
}()

// AttributeNames returns the names rules may use.
func AttributeNames() []string {
	names := make([]string, 0, len(attrBits))
	for n := range attrBits {
		names = append(names, n)
	}
	return names
}

// usdRates are the default approximate USD values of one major unit, for
// amount_usd; Config.USDRates replaces them.
var usdRates = map[string]float64{
	"usd": 1, "eur": 1.08, "gbp": 1.27, "jpy": 0.0067, "thb": 0.028, "sgd": 0.74, "aud": 0.66, "cad": 0.73,
	"chf": 1.13, "cny": 0.14, "dkk": 0.145, "hkd": 0.128, "idr": 0.000063, "myr": 0.21,
}

// fill sets the charge attributes of e from a; now measures the customer's
// age. The IP country comes from table.
func (e *Env) fill(a *kessai.FraudAttributes, table *IPTable, rates map[string]float64, now time.Time) {
	*e = Env{}
	set := func(bit int, ok bool) {
		if ok {
			e.present |= 1 << bit
		}
	}
	cur := strings.ToLower(a.Currency)
	e.Amount, e.Currency = a.Amount, cur
	set(bitAmount, a.Amount > 0 && cur != "")
	set(bitCurrency, cur != "")
	if cur != "" {
		e.AmountMajor = float64(a.Amount) / math.Pow10(kessai.CurrencyExponent(cur))
		if r, ok := rates[cur]; ok {
			e.AmountUSD = e.AmountMajor * r
			set(bitAmountUSD, true)
		}
	}
	e.CardBrand, e.CardBIN, e.CardFunding, e.CardFingerprint = a.Brand, a.BIN, strings.ToLower(a.Funding), a.Fingerprint
	set(bitBrand, a.Brand != "")
	set(bitBIN, a.BIN != "")
	set(bitFunding, a.Funding != "")
	set(bitFingerprint, a.Fingerprint != "")
	e.CardCountry = strings.ToUpper(a.CardCountry)
	set(bitCardCountry, a.CardCountry != "")
	e.Customer = a.CustomerID
	set(bitCustomer, a.CustomerID != "")
	e.Email = strings.ToLower(a.Email)
	if i := strings.LastIndexByte(e.Email, '@'); i >= 0 {
		e.EmailDomain = e.Email[i+1:]
	}
	set(bitEmail, a.Email != "")
	e.IP = a.IP
	set(bitIP, a.IP != "")
	if a.IP != "" && table != nil {
		if c, ok := table.Lookup(a.IP); ok {
			e.IPCountry = c
			set(bitIPCountry, true)
		}
	}
	e.BillingCountry = strings.ToUpper(a.BillingCountry)
	set(bitBilling, a.BillingCountry != "")
	e.ShippingCountry = strings.ToUpper(a.ShippingCountry)
	set(bitShipping, a.ShippingCountry != "")
	if a.CardNewToMerchant != nil {
		e.IsNewCard = *a.CardNewToMerchant
		set(bitNewCard, true)
	}
	if !a.CustomerCreatedAt.IsZero() {
		e.CustomerAgeDays = max(0, now.Sub(a.CustomerCreatedAt).Hours()/24)
		set(bitCustomerAge, true)
	}
}

// has reports whether the attributes of mask are all present.
func (e *Env) has(mask uint64) bool { return e.present&mask == mask }
