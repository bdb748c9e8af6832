package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/card"
)

// statuses maps every error code to its HTTP status. It is the one place
// where codes meet statuses.
var statuses = map[string]int{
	kessai.EBadRequest:            http.StatusBadRequest,
	kessai.EInvalidCard:           http.StatusBadRequest,
	kessai.EInvalidCardToken:      http.StatusBadRequest,
	kessai.EUsedToken:             http.StatusBadRequest,
	kessai.EMissingCard:           http.StatusBadRequest,
	kessai.EInvalidCharge:         http.StatusBadRequest,
	kessai.EInvalidAmount:         http.StatusBadRequest,
	kessai.EInvalidFilter:         http.StatusBadRequest,
	kessai.EInvalidPage:           http.StatusBadRequest,
	kessai.EInvalidScope:          http.StatusBadRequest,
	kessai.EFailedCapture:         http.StatusBadRequest,
	kessai.EFailedRefund:          http.StatusBadRequest,
	kessai.EFailedVoid:            http.StatusBadRequest,
	kessai.EFailedReverse:         http.StatusBadRequest,
	kessai.EFailedExpire:          http.StatusBadRequest,
	kessai.EExpiredCharge:         http.StatusBadRequest,
	kessai.EFailedFraudCheck:      http.StatusBadRequest,
	kessai.EAuthenticationFailure: http.StatusUnauthorized,
	kessai.EForbidden:             http.StatusForbidden,
	kessai.ELockedOut:             http.StatusForbidden,
	kessai.ENotFound:              http.StatusNotFound,
	kessai.EMethodNotAllowed:      http.StatusMethodNotAllowed,
	kessai.EConflict:              http.StatusConflict,
	kessai.ETooLarge:              http.StatusRequestEntityTooLarge,
	kessai.ERateLimited:           http.StatusTooManyRequests,
	kessai.EInternal:              http.StatusInternalServerError,
	kessai.EUnavailable:           http.StatusServiceUnavailable,
}

// StatusOf returns the HTTP status for an error code: 500 for EInternal and
// for a code it does not know.
func StatusOf(code string) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// errorBody is the Omise error object.
type errorBody struct {
	Object   string `json:"object"` // "error"
	Location string `json:"location"`
	Code     string `json:"code"`
	Message  string `json:"message"`
}

// publicError returns the code and client-safe message of err. A
// *card.FieldError (whose message never holds the field's value) is an
// invalid_card; an error with no code, or with an unknown code, is an
// internal error with a generic message.
func publicError(err error) (code, message string) {
	if fe, ok := errors.AsType[*card.FieldError](err); ok {
		if _, ok := errors.AsType[*kessai.Error](err); !ok {
			return kessai.EInvalidCard, fe.Error()
		}
	}
	code = kessai.ErrorCode(err)
	if _, ok := statuses[code]; !ok || code == kessai.EInternal {
		return kessai.EInternal, "internal error"
	}
	return code, kessai.ErrorMessage(err)
}

// writeError renders err as an Omise error object with the status of its
// code. Server errors (5xx) are logged with their detail.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := publicError(err)
	if code == kessai.EInternal && s.down != nil && s.down(err) {
		code, msg = kessai.EUnavailable, "storage is unavailable; try again shortly"
		w.Header().Set("Retry-After", "1")
	}
	status := StatusOf(code)
	if status >= 500 {
		level := slog.LevelError
		if errors.Is(err, context.Canceled) {
			level = slog.LevelWarn
		}
		s.log.LogAttrs(r.Context(), level, "request failed",
			slog.String("request_id", RequestIDOf(r)),
			slog.String("route", routeOf(r)),
			slog.String("error", err.Error()))
	}
	s.writeErrorObject(w, status, code, msg)
}

// writeErrorObject writes the error object with status.
func (s *Server) writeErrorObject(w http.ResponseWriter, status int, code, msg string) {
	writeJSONStatus(w, status, &errorBody{
		Object:   "error",
		Location: s.errorDocs + "#" + strings.ReplaceAll(code, "_", "-"),
		Code:     code,
		Message:  msg,
	})
}
