package issuersim

import "github.com/kessai/kessai/iso8583msg"

// testCard is the documented behaviour of a test card number (Omise's test
// cards, omise-api.md §7). Any expiry in the future and any security code
// are accepted unless said otherwise.
type testCard struct {
	limit  int64 // -1: the default limit
	status Status
	forced string // response code of every authorization
	cvv    string // security code policy
}

func (tc testCard) apply(a *account) {
	if tc.limit >= 0 {
		a.limit = tc.limit
	}
	if tc.status != "" {
		a.status = tc.status
	}
	a.forcedCode = tc.forced
	if tc.cvv != "" {
		a.cvvPolicy = tc.cvv
	}
}

var (
	insufficientFund     = testCard{limit: 0}                                        // 51 for any amount
	lostCard             = testCard{limit: -1, status: Lost}                         // 41
	stolenCard           = testCard{limit: -1, status: Stolen}                       // 43
	failedProcessing     = testCard{limit: -1, forced: iso8583msg.SystemMalfunction} // 96
	paymentRejected      = testCard{limit: -1, forced: iso8583msg.DoNotHonor}        // 05
	failedFraudCheck     = testCard{limit: -1, forced: iso8583msg.SuspectedFraud}    // 59
	invalidAccountNumber = testCard{limit: -1, forced: iso8583msg.InvalidCardNumber} // 14
	invalidSecurityCode  = testCard{limit: -1, cvv: cvvNever}                        // N7, CVV2 result N
	approvedCard         = testCard{limit: -1}                                       // 00
)

// testCards maps the test card numbers to their behaviour. Numbers not
// listed behave as approvedCard. The 3-D Secure failure cards (…0002,
// …0003) are approved here: their failure happens in 3-D Secure, before
// authorization.
var testCards = map[string]testCard{
	// insufficient_fund
	"4111111111140011": insufficientFund,
	"5555551111110011": insufficientFund,
	"3530111111190011": insufficientFund,
	"6250947000000014": insufficientFund,
	// stolen_or_lost_card
	"4111111111130012": lostCard,
	"5555551111100012": stolenCard,
	"3530111111180012": lostCard,
	"6250947000000022": stolenCard,
	// failed_processing
	"4111111111120013":    failedProcessing,
	"5555551111190013":    failedProcessing,
	"3530111111170013":    failedProcessing,
	"6250947000000030":    failedProcessing,
	"377138160000009":     failedProcessing,
	"6447032400001111005": failedProcessing,
	"36021042111108":      failedProcessing,
	// payment_rejected
	"4111111111110014": paymentRejected,
	"5555551111180014": paymentRejected,
	"3530111111160014": paymentRejected,
	"6250947000000048": paymentRejected,
	// failed_fraud_check
	"4111111111190016": failedFraudCheck,
	"5555551111160016": failedFraudCheck,
	"3530111111140016": failedFraudCheck,
	"6250947000000055": failedFraudCheck,
	// invalid_account_number
	"4111111111180017": invalidAccountNumber,
	"5555551111150017": invalidAccountNumber,
	"3530111111130017": invalidAccountNumber,
	"6250947000000063": invalidAccountNumber,
	// invalid_security_code
	"4111111111160001": invalidSecurityCode,
	"5555551111130001": invalidSecurityCode,
	"3530111111110001": invalidSecurityCode,
	// successful cards, listed for completeness
	"4242424242424242":    approvedCard,
	"4111111111111111":    approvedCard,
	"5555555555554444":    approvedCard,
	"5454545454545454":    approvedCard,
	"3530111333300000":    approvedCard,
	"3566111111111113":    approvedCard,
	"378282246310005":     approvedCard,
	"6447032400000000001": approvedCard,
	"36021042000004":      approvedCard,
	"6250947000000006":    approvedCard,
}
