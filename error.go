package kessai

import (
	"errors"
	"fmt"
)

// Error codes. They are the Omise API's error codes (omise-api.md §6) plus a few
// of our own; httpapi maps each to an HTTP status in one place.
const (
	EAuthenticationFailure = "authentication_failure"   // 401
	EBadRequest            = "bad_request"              // 400
	ENotFound              = "not_found"                // 404
	EMethodNotAllowed      = "method_not_allowed"       // 405
	ETooLarge              = "request_entity_too_large" // 413
	EInvalidCard           = "invalid_card"             // 400
	EInvalidCardToken      = "invalid_card_token"       // 400
	EUsedToken             = "used_token"               // 400
	EMissingCard           = "missing_card"             // 400
	EInvalidCharge         = "invalid_charge"           // 400
	EInvalidAmount         = "invalid_amount"           // 400
	EInvalidFilter         = "invalid_filter"           // 400
	EInvalidPage           = "invalid_page"             // 400
	EInvalidScope          = "invalid_scope"            // 400
	EFailedCapture         = "failed_capture"           // 400
	EFailedRefund          = "failed_refund"            // 400
	EFailedVoid            = "failed_void"              // 400
	EFailedReverse         = "failed_reverse"           // 400
	EFailedExpire          = "failed_expire"            // 400
	EExpiredCharge         = "expired_charge"           // 400
	EFailedFraudCheck      = "failed_fraud_check"       // 400
	EForbidden             = "forbidden"                // 403
	ELockedOut             = "locked_out"               // 403
	EConflict              = "conflict"                 // 409
	ERateLimited           = "too_many_requests"        // 429
	EInternal              = "internal_error"           // 500
	EUnavailable           = "service_unavailable"      // 503
)

// Error is the one error type of Kessai. Code is one of the E* constants and
// Message is safe to show to the API client. Err, when set, is the internal
// cause: it is logged, never shown.
type Error struct {
	Code    string
	Message string
	Err     error
}

// Error returns the code and message, and the cause if there is one.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
// The message is shown to clients: never put card data or secrets in it.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WrapError returns an *Error with the given code and message that keeps err
// as its internal cause.
func WrapError(err error, code, message string) *Error {
	return &Error{Code: code, Message: message, Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain, "" for a nil
// error and EInternal for any other error.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the client-safe message of the first *Error in err's
// chain, or a generic message for any other error.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Message
	}
	return "internal error"
}

// NotFound returns the Omise-style not_found error for an object kind and id,
// such as "token tokn_test_… was not found".
func NotFound(kind, id string) *Error {
	return Errorf(ENotFound, "%s %s was not found", kind, id)
}
