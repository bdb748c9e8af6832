package threeds

import (
	"errors"
	"fmt"
)

// Error codes of the Erro message (EMV 3DS Core Spec, Table A.4).
const (
	CodeMessageNotRecognised   = "101" // unknown messageType, or sent to the wrong component
	CodeVersionNotSupported    = "102" // messageVersion not supported by the receiver
	CodeTooManyPReqs           = "103" // more than one PReq within an hour
	CodeRequiredMissing        = "201" // a required element is missing
	CodeCriticalExtension      = "202" // a critical messageExtension is not recognised
	CodeInvalidFormat          = "203" // an element has a bad format or value
	CodeDuplicateElement       = "204" // an element appears twice
	CodeTransIDNotRecognised   = "301" // a transaction ID is not known to the receiver
	CodeDecryptionFailure      = "302" // data could not be decrypted
	CodeAccessDenied           = "303" // the sender is not allowed (unknown client, bad reference number)
	CodeISOCodeInvalid         = "304" // an ISO code (currency, country) is not valid
	CodeTransactionDataInvalid = "305" // e.g. the card number is in no range of the receiver
	CodeMCCInvalid             = "306" // the merchant category code is not valid
	CodeSerialNumInvalid       = "307" // the PReq serialNum is not valid
	CodeTimeout                = "402" // a timer expired (e.g. the CReq came after 30 s)
	CodeTransientFailure       = "403" // a transient system failure
	CodePermanentFailure       = "404" // a permanent system failure
	CodeConnectionFailure      = "405" // the receiver could not reach the next component
)

// Components named by errorComponent.
const (
	ComponentSDK    = "C"
	ComponentServer = "S" // the 3DS Server
	ComponentDS     = "D"
	ComponentACS    = "A"
)

// Error is a 3-D Secure protocol error: the error code and the offending
// element (errorDetail) of the Erro message that answers it. Validation
// and decoding fail with an *Error; the components answer with
// [NewErro]. An *Error that came back from a peer as an Erro message also
// carries that message in Erro.
//
// Description and Element never contain element values, so an *Error is
// safe to log even when the message held a card number.
type Error struct {
	Code        string // one of the Code* constants
	Element     string // the offending element name(s), comma-separated; may be empty
	Description string // a sentence for errorDescription
	Erro        *Erro  // the Erro received from a peer, when there was one
}

// Error returns "3ds error CODE: DESCRIPTION (ELEMENT)".
func (e *Error) Error() string {
	s := "3ds error " + e.Code + ": " + e.Description
	if e.Element != "" {
		s += " (" + e.Element + ")"
	}
	return s
}

// Errorf returns an *Error with the given code and offending element and a
// formatted description. Never format element values into it.
func Errorf(code, element, format string, args ...any) *Error {
	return &Error{Code: code, Element: element, Description: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, "" for a
// nil error and [CodePermanentFailure] for any other error.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return CodePermanentFailure
}

func missing(element string) *Error {
	return Errorf(CodeRequiredMissing, element, "A required element is missing.")
}

func invalid(element string) *Error {
	return Errorf(CodeInvalidFormat, element, "An element has an invalid format or value.")
}
