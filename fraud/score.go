package fraud

import (
	"fmt"
	"slices"

	"github.com/kessai/kessai"
)

// Risk levels, as Radar names them: elevated from 65, highest from 75.
const (
	RiskNormal   = "normal"
	RiskElevated = "elevated"
	RiskHighest  = "highest"
)

// MaxReasons is how many reasons a decision lists, largest first.
const MaxReasons = 3

// A signal is one term of the risk model: when it applies to the
// attributes it adds points (capped at its weight) and a reason.
type signal struct {
	code   string
	weight int
	// points returns the points (0 when it does not apply) and the detail.
	points func(e *Env) (int, string)
}

// scale returns weight × (x − from) / (to − from), clamped to [0, weight].
func scale(weight int, x, from, to float64) int {
	if x <= from {
		return 0
	}
	if x >= to {
		return weight
	}
	return int(float64(weight)*(x-from)/(to-from) + 0.5)
}

// signals is the risk model: a sum of capped, documented terms (see
// docs/fraud.md), clamped to 0–99. Each term reads only present
// attributes. The weights are chosen so that one weak signal stays
// "normal", card testing and BIN enumeration reach "highest" and a
// geography mismatch alone stays below 50.
var signals = []signal{
	{"card_declines", 30, func(e *Env) (int, string) {
		n := e.DeclinesPerCardW1H
		if n == 0 {
			return 0, ""
		}
		return scale(30, float64(n), 0, 3), fmt.Sprintf("%d declines of this card in the last hour", n)
	}},
	{"ip_card_testing", 40, func(e *Env) (int, string) {
		// Many cards from one IP, with declines: the card-testing pattern.
		c, d := e.CardsPerIPW1H, e.DeclinesPerIPW1H
		if c < 3 || d < 2 {
			return 0, ""
		}
		return min(scale(25, float64(c), 2, 8)+scale(15, float64(d), 1, 5), 40), fmt.Sprintf("%d cards and %d declines from this IP in the last hour", c, d)
	}},
	{"bin_declines", 35, func(e *Env) (int, string) {
		n := e.DeclinesPerBINW10M
		if n <= 3 {
			return 0, ""
		}
		return scale(35, float64(n), 3, 10), fmt.Sprintf("%d declines on this BIN in the last 10 minutes", n)
	}},
	{"email_cards", 20, func(e *Env) (int, string) {
		n := e.CardsPerEmailW24H
		if n <= 2 {
			return 0, ""
		}
		return scale(20, float64(n), 2, 5), fmt.Sprintf("%d cards used with this email in the last 24 hours", n)
	}},
	{"card_attempts", 15, func(e *Env) (int, string) {
		n := e.AttemptsPerCardW10M
		if n <= 2 {
			return 0, ""
		}
		return scale(15, float64(n), 2, 6), fmt.Sprintf("%d attempts with this card in the last 10 minutes", n)
	}},
	{"ip_country_mismatch", 15, func(e *Env) (int, string) {
		if e.has(1<<bitIPCountry|1<<bitCardCountry) && e.IPCountry != e.CardCountry {
			return 15, fmt.Sprintf("IP country %s differs from card country %s", e.IPCountry, e.CardCountry)
		}
		return 0, ""
	}},
	{"billing_country_mismatch", 10, func(e *Env) (int, string) {
		if e.has(1<<bitBilling|1<<bitCardCountry) && e.BillingCountry != e.CardCountry {
			return 10, fmt.Sprintf("billing country %s differs from card country %s", e.BillingCountry, e.CardCountry)
		}
		return 0, ""
	}},
	{"shipping_country_mismatch", 10, func(e *Env) (int, string) {
		if e.has(1<<bitBilling|1<<bitShipping) && e.BillingCountry != e.ShippingCountry {
			return 10, fmt.Sprintf("shipping country %s differs from billing country %s", e.ShippingCountry, e.BillingCountry)
		}
		return 0, ""
	}},
	{"large_amount", 15, func(e *Env) (int, string) {
		if !e.has(1<<bitAmountUSD) || e.AmountUSD <= 500 {
			return 0, ""
		}
		return scale(15, e.AmountUSD, 500, 5000), fmt.Sprintf("amount of about %.0f USD", e.AmountUSD)
	}},
	{"prepaid_card", 8, func(e *Env) (int, string) {
		if e.has(1<<bitFunding) && e.CardFunding == "prepaid" {
			return 8, "prepaid card"
		}
		return 0, ""
	}},
	{"new_card", 5, func(e *Env) (int, string) {
		if e.has(1<<bitNewCard) && e.IsNewCard {
			return 5, "card never seen by this merchant"
		}
		return 0, ""
	}},
	{"new_customer", 8, func(e *Env) (int, string) {
		if !e.has(1 << bitCustomerAge) {
			return 0, ""
		}
		if e.CustomerAgeDays < 1 {
			return 8, "customer created less than a day ago"
		}
		return 0, ""
	}},
	{"new_card_on_old_account", 12, func(e *Env) (int, string) {
		// Account takeover: an established customer, a new card, and
		// several attempts in a short time.
		if e.has(1<<bitCustomerAge|1<<bitNewCard|1<<bitCustomer) && e.IsNewCard && e.CustomerAgeDays >= 30 && e.AttemptsPerCustomerW1H >= 2 {
			return 12, fmt.Sprintf("new card on a %.0f-day-old customer with %d attempts in the last hour", e.CustomerAgeDays, e.AttemptsPerCustomerW1H)
		}
		return 0, ""
	}},
}

// score sets e's risk score and level and returns the top reasons.
func score(e *Env) []kessai.RiskReason {
	var rs []kessai.RiskReason
	total := 0
	for i := range signals {
		s := &signals[i]
		p, detail := s.points(e)
		if p <= 0 {
			continue
		}
		p = min(p, s.weight)
		total += p
		rs = append(rs, kessai.RiskReason{Code: s.code, Points: p, Detail: detail})
	}
	e.RiskScore = min(total, 99)
	e.RiskLevel = riskLevel(e.RiskScore)
	e.present |= 1 << bitRisk
	slices.SortStableFunc(rs, func(a, b kessai.RiskReason) int { return b.Points - a.Points })
	if len(rs) > MaxReasons {
		rs = rs[:MaxReasons]
	}
	return rs
}

func riskLevel(s int) string {
	switch {
	case s >= 75:
		return RiskHighest
	case s >= 65:
		return RiskElevated
	}
	return RiskNormal
}
