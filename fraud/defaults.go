package fraud

// DefaultRule is a built-in rule: every account has it, enabled, until it
// disables it or puts it in shadow mode.
type DefaultRule struct {
	ID          string
	Rule        string
	Description string
}

// DefaultRules are the built-in rules, documented in docs/fraud.md.
var DefaultRules = []DefaultRule{
	{"frul_default_card_testing_ip", "block if cards_per_ip_1h >= 4 and declines_per_ip_1h >= 3",
		"Card testing: many cards and several declines from one IP address within an hour."},
	{"frul_default_card_declines", "block if declines_per_card_1h >= 3",
		"A card declined three times within an hour is being tried, not used."},
	{"frul_default_bin_enumeration", "block if declines_per_bin_10m >= 6 and declines_per_bin_10m * 2 > attempts_per_bin_10m and amount_usd < 20",
		"BIN enumeration: numbers of one BIN tried from rotating IPs with small amounts, most of them declined."},
	{"frul_default_email_cards", "block if cards_per_email_1h >= 4",
		"One email trying four or more cards within an hour."},
	{"frul_default_highest_risk", "block if risk_score >= 85",
		"The risk score is very high."},
	{"frul_default_elevated_risk", "review if risk_score >= 65",
		"An elevated risk score: let it through, hold the capture for a merchant's review."},
	{"frul_default_3ds_risk", "request_3ds if risk_score >= 40",
		"A gray zone risk score: ask the issuer to authenticate the cardholder."},
}

// defaultRule returns the built-in rule with id.
func defaultRule(id string) (DefaultRule, bool) {
	for _, d := range DefaultRules {
		if d.ID == id {
			return d, true
		}
	}
	return DefaultRule{}, false
}

// IsDefaultRule reports whether id names a built-in rule.
func IsDefaultRule(id string) bool {
	_, ok := defaultRule(id)
	return ok
}
