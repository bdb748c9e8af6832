package iso8583link

import (
	"github.com/kessai/kessai"
	"github.com/kessai/kessai/iso8583msg"
)

// Omise charge failure codes (omise-api.md §6).
const (
	FailureInsufficientFund     = "insufficient_fund"
	FailureStolenOrLostCard     = "stolen_or_lost_card"
	FailureFailedProcessing     = "failed_processing"
	FailurePaymentRejected      = "payment_rejected"
	FailureFailedFraudCheck     = "failed_fraud_check"
	FailureInvalidAccountNumber = "invalid_account_number"
	FailureInvalidSecurityCode  = "invalid_security_code"
	FailureExpiredCard          = "expired_card"
	// FailureTimeout is the failure code of a charge whose authorization
	// failed with [kessai.ErrNetworkTimeout].
	FailureTimeout = "timeout"
)

// FailureCode maps an ISO 8583 response code to the Omise failure code of
// a charge it declines, "" for an approval (00):
//
//	51 61 65                   insufficient_fund
//	41 43 04 07                stolen_or_lost_card
//	05 01 03 12 13 57 58 62    payment_rejected
//	59 63                      failed_fraud_check
//	14 15                      invalid_account_number
//	N7                         invalid_security_code
//	54                         expired_card
//	anything else (30 91 96 …) failed_processing
func FailureCode(responseCode string) string {
	switch responseCode {
	case iso8583msg.Approved:
		return ""
	case iso8583msg.InsufficientFunds, iso8583msg.ExceedsAmountLimit, "65":
		return FailureInsufficientFund
	case iso8583msg.LostCard, iso8583msg.StolenCard, "04", "07":
		return FailureStolenOrLostCard
	case iso8583msg.DoNotHonor, iso8583msg.ReferToIssuer, iso8583msg.InvalidMerchant, iso8583msg.InvalidTransaction,
		iso8583msg.InvalidAmount, iso8583msg.NotPermitted, "58", iso8583msg.RestrictedCard:
		return FailurePaymentRejected
	case iso8583msg.SuspectedFraud, "63":
		return FailureFailedFraudCheck
	case iso8583msg.InvalidCardNumber, "15":
		return FailureInvalidAccountNumber
	case iso8583msg.CVV2Failure:
		return FailureInvalidSecurityCode
	case iso8583msg.ExpiredCard:
		return FailureExpiredCard
	}
	return FailureFailedProcessing
}

var failureMessages = map[string]string{
	FailureInsufficientFund:     "insufficient funds in the account or the card has reached the credit limit",
	FailureStolenOrLostCard:     "card is stolen or lost",
	FailureFailedProcessing:     "payment processing failed",
	FailurePaymentRejected:      "payment is rejected by the card issuer",
	FailureFailedFraudCheck:     "card is suspected of fraud",
	FailureInvalidAccountNumber: "card number is invalid",
	FailureInvalidSecurityCode:  "security code is invalid",
	FailureExpiredCard:          "card is expired",
	FailureTimeout:              "the card network did not answer in time",
}

// FailureMessage returns a short lowercase description of a failure code,
// "" for "".
func FailureMessage(failureCode string) string { return failureMessages[failureCode] }

// result builds the NetworkResult of an answered request.
func result(rec *kessai.NetworkMessage, code, approval, rrn string) kessai.NetworkResult {
	if rrn == "" {
		rrn = rec.RRN
	}
	fc := FailureCode(code)
	return kessai.NetworkResult{
		NetworkRef:     rec.ID,
		Approved:       code == iso8583msg.Approved,
		ResponseCode:   code,
		FailureCode:    fc,
		FailureMessage: FailureMessage(fc),
		ApprovalCode:   approval,
		RRN:            rrn,
		STAN:           rec.STAN,
		TerminalID:     rec.TerminalID,
		TransmittedAt:  rec.TransmittedAt,
	}
}

func unavailable() error {
	return kessai.WrapError(kessai.ErrNetworkUnavailable, kessai.EUnavailable, "the card network is unavailable")
}

func timedOut() error {
	return kessai.WrapError(kessai.ErrNetworkTimeout, kessai.EUnavailable, "the card network did not answer in time")
}
