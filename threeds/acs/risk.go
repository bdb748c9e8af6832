package acs

import (
	"strconv"

	"github.com/kessai/kessai/threeds"
)

// decision is the ACS's answer to an AReq.
type decision struct {
	status, reason string
	mandated       bool   // for C: acsChallengeMandated
	why            string // the rule that decided, for the log and tests
	silent         bool
}

// decide applies, in order: the test cards; the channel (the app channel
// and 3RI are not supported: U with reason 03 or 21); the requestor's
// challenge mandate (04) or preference (03); the per-card amount
// threshold; the merchant's risk data; the device. A purchase that passes
// them all is frictionless: Y, or I when the requestor asked for no
// challenge with an exemption (05, 06 or 07).
func (a *ACS) decide(m *threeds.AReq, cardKey string, device string) decision {
	if o, ok := testOutcome(string(m.AcctNumber)); ok {
		switch {
		case o.silent:
			return decision{silent: true, why: "test card: no answer"}
		case o.challenge:
			return decision{status: threeds.StatusChallenge, mandated: true, why: "test card: challenge"}
		}
		return decision{status: o.status, reason: o.reason, why: "test card"}
	}
	switch m.DeviceChannel {
	case threeds.ChannelApp:
		return decision{status: threeds.StatusUnavailable, reason: "03", why: "app channel not supported"}
	case threeds.Channel3RI:
		return decision{status: threeds.StatusUnavailable, reason: "21", why: "3RI not supported"}
	}
	switch m.ThreeDSRequestorChallengeInd {
	case "04":
		return decision{status: threeds.StatusChallenge, mandated: true, why: "requestor mandates a challenge (04)"}
	case "03":
		return decision{status: threeds.StatusChallenge, why: "requestor prefers a challenge (03)"}
	}
	if m.MessageCategory == threeds.CategoryPayment {
		amount, _ := strconv.ParseInt(m.PurchaseAmount, 10, 64)
		if amount > a.threshold(cardKey, m.PurchaseCurrency) {
			return decision{status: threeds.StatusChallenge, why: "amount above the card's threshold"}
		}
	}
	if why := merchantRisk(m); why != "" {
		return decision{status: threeds.StatusChallenge, why: why}
	}
	if !a.knownDevice(cardKey, device) {
		return decision{status: threeds.StatusChallenge, why: "device new to the cardholder"}
	}
	switch m.ThreeDSRequestorChallengeInd {
	case "05", "06", "07":
		return decision{status: threeds.StatusInformational, why: "low risk; requestor exemption acknowledged"}
	}
	return decision{status: threeds.StatusAuthenticated, why: "low risk"}
}

// merchantRisk returns why the merchant's own risk data calls for a
// challenge, or "": shipping to an address other than a verified one
// (shipIndicator 03), gift cards in the order, or suspicious activity
// on the cardholder's account with the merchant (suspiciousAccActivity 02).
func merchantRisk(m *threeds.AReq) string {
	if r := m.MerchantRiskIndicator; r != nil {
		if r.ShipIndicator == "03" {
			return "merchant risk: shipping to a different address"
		}
		if r.GiftCardCount != "" && r.GiftCardCount != "0" && r.GiftCardCount != "00" || r.GiftCardAmount != "" {
			return "merchant risk: gift cards"
		}
	}
	if i := m.AcctInfo; i != nil && i.SuspiciousAccActivity == "02" {
		return "merchant risk: suspicious account activity"
	}
	return ""
}
