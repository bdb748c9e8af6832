package iso8583msg

// Message type indicators of the network.
const (
	MTIAuthorization         = "0100"
	MTIAuthorizationRepeat   = "0101"
	MTIAuthorizationResponse = "0110"
	MTIFinancial             = "0200"
	MTIFinancialRepeat       = "0201"
	MTIFinancialResponse     = "0210"
	MTICaptureAdvice         = "0220"
	MTICaptureAdviceRepeat   = "0221"
	MTICaptureAdviceResponse = "0230"
	MTIReversal              = "0400"
	MTIReversalRepeat        = "0401"
	MTIReversalResponse      = "0410"
	MTINetwork               = "0800"
	MTINetworkResponse       = "0810"
)

// Processing codes (DE3).
const (
	ProcessingPurchase = "000000"
	ProcessingRefund   = "200000"
)

// Network management codes (DE70).
const (
	SignOn  = "001"
	SignOff = "002"
	Echo    = "301"
)

// POS entry modes (DE22) and condition codes (DE25).
const (
	POSEntryEcommerce        = "812"
	POSEntryCredentialOnFile = "102"
	POSConditionEcommerce    = "59"
)

// validMTI reports whether mti is four digits.
func validMTI(mti string) bool {
	if len(mti) != 4 {
		return false
	}
	for i := 0; i < 4; i++ {
		if mti[i] < '0' || mti[i] > '9' {
			return false
		}
	}
	return true
}

// IsResponse reports whether mti is a response or an acknowledgement
// (message function 1, 3, 5 or 7).
func IsResponse(mti string) bool {
	if !validMTI(mti) {
		return false
	}
	switch mti[2] {
	case '1', '3', '5', '7':
		return true
	}
	return false
}

// IsRepeat reports whether mti is a repeat of a request (origin 1 or 3),
// such as 0401.
func IsRepeat(mti string) bool {
	return validMTI(mti) && (mti[3] == '1' || mti[3] == '3')
}

// Unrepeated returns the request MTI a repeat stands for ("0401" gives
// "0400"); other MTIs are returned unchanged.
func Unrepeated(mti string) string {
	if !IsRepeat(mti) {
		return mti
	}
	return mti[:3] + string(mti[3]-1)
}

// ResponseMTI returns the MTI of the answer to a request or repeat: 0100 and
// 0101 give 0110, 0220 and 0221 give 0230. It returns "" for an MTI that is
// not a request or advice.
func ResponseMTI(mti string) string {
	if !validMTI(mti) {
		return ""
	}
	switch mti[2] {
	case '0':
		return mti[:2] + "10"
	case '2':
		return mti[:2] + "30"
	}
	return ""
}

// Class returns the message class digit of mti ('1' authorization,
// '2' financial, '4' reversal, '8' network management), or 0 when mti is
// malformed.
func Class(mti string) byte {
	if !validMTI(mti) {
		return 0
	}
	return mti[1]
}
