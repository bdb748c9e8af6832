package iso8583msg

// Response codes (DE39) used on the network.
const (
	Approved              = "00"
	ReferToIssuer         = "01"
	InvalidMerchant       = "03"
	DoNotHonor            = "05"
	InvalidTransaction    = "12"
	InvalidAmount         = "13"
	InvalidCardNumber     = "14"
	UnableToLocate        = "25"
	FormatError           = "30"
	LostCard              = "41"
	StolenCard            = "43"
	InsufficientFunds     = "51"
	ExpiredCard           = "54"
	NotPermitted          = "57"
	SuspectedFraud        = "59"
	ExceedsAmountLimit    = "61"
	RestrictedCard        = "62"
	LateOriginal          = "68" // the original arrived after its reversal
	IssuerInoperative     = "91"
	DuplicateTransmission = "94"
	SystemMalfunction     = "96"
	CVV2Failure           = "N7"
)

// CVV2 results (DE48 tag 10).
const (
	CVV2Match        = "M"
	CVV2NoMatch      = "N"
	CVV2NotProcessed = "P"
	CVV2Unavailable  = "U"
)

// Stored credential indicators (DE48 tag 06).
const (
	StoredInitial           = "I"
	StoredCardholder        = "C"
	StoredMerchantInitiated = "M"
)

var responseText = map[string]string{
	Approved:              "approved",
	ReferToIssuer:         "refer to card issuer",
	InvalidMerchant:       "invalid merchant",
	DoNotHonor:            "do not honor",
	InvalidTransaction:    "invalid transaction",
	InvalidAmount:         "invalid amount",
	InvalidCardNumber:     "invalid card number",
	UnableToLocate:        "unable to locate original",
	FormatError:           "format error",
	LostCard:              "lost card",
	StolenCard:            "stolen card",
	InsufficientFunds:     "insufficient funds",
	ExpiredCard:           "expired card",
	NotPermitted:          "transaction not permitted to cardholder",
	SuspectedFraud:        "suspected fraud",
	ExceedsAmountLimit:    "exceeds amount limit",
	RestrictedCard:        "restricted card",
	LateOriginal:          "original received after its reversal",
	IssuerInoperative:     "issuer inoperative",
	DuplicateTransmission: "duplicate transmission",
	SystemMalfunction:     "system malfunction",
	CVV2Failure:           "CVV2 failure",
}

// ResponseText returns a short English description of a response code, or
// "unknown response code".
func ResponseText(code string) string {
	if t, ok := responseText[code]; ok {
		return t
	}
	return "unknown response code"
}
