package bench

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
)

// StatusError is what a scenario returns when the server answered with an
// unexpected HTTP status.
type StatusError struct {
	Status int
	// Code is the code of the Omise error object in the body, if any.
	Code string
}

// Error returns the status and the code.
func (e *StatusError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("bench: HTTP %d %s", e.Status, e.Code)
	}
	return fmt.Sprintf("bench: HTTP %d", e.Status)
}

// ResponseError is what a scenario returns when the server answered with
// the expected status but not with the expected body.
type ResponseError struct {
	Reason string
}

// Error returns the reason.
func (e *ResponseError) Error() string { return "bench: unexpected response: " + e.Reason }

// ChargeError is what a scenario returns when the server answered with a
// charge, as expected, but in another state than the one expected: most
// often declined (status "failed" with a failure code; declines are HTTP
// 200), or, say, pending where it should be successful.
type ChargeError struct {
	// Status is the charge's status, one of a charge's, and Want the one
	// expected.
	Status, Want string
	// Authorized is the charge's authorized flag.
	Authorized bool
	// FailureCode is the charge's failure code, if any.
	FailureCode string
}

// Error returns the state and the one expected.
func (e *ChargeError) Error() string {
	return "bench: " + e.state() + ", want " + e.Want
}

// state describes the charge's state: "charge failed insufficient_fund",
// "charge pending unauthorized", "charge reversed" and so on.
func (e *ChargeError) state() string {
	s := "charge " + e.Status
	switch {
	case e.Status == "failed" && e.FailureCode != "" && len(e.FailureCode) <= 64:
		s += " " + e.FailureCode
	case e.Status == "pending" && !e.Authorized:
		s += " unauthorized"
	}
	return s
}

// kind returns the kind the error is counted under: the state of a failed
// charge, and the state and the one expected for any other.
func (e *ChargeError) kind() string {
	if e.Status == "failed" {
		return e.state()
	}
	return e.state() + ", want " + e.Want
}

// errorKind returns the kind an error is counted under in
// Result.ErrorsByKind: a small, fixed vocabulary, so that the counts stay
// readable when every request fails in its own way.
func errorKind(err error) string {
	var se *StatusError
	var re *ResponseError
	var ne net.Error
	var ce *tls.CertificateVerificationError
	var rhe tls.RecordHeaderError
	var che *ChargeError
	switch {
	case errors.As(err, &che):
		return che.kind()
	case errors.As(err, &se):
		if se.Code != "" {
			return fmt.Sprintf("http %d %s", se.Status, se.Code)
		}
		return fmt.Sprintf("http %d", se.Status)
	case errors.As(err, &re):
		return "bad response"
	case errors.Is(err, errNotLoopback):
		return "not loopback"
	case errors.As(err, &ce):
		return "tls certificate"
	case errors.As(err, &rhe):
		return "tls"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "connection reset"
	case errors.Is(err, syscall.EADDRNOTAVAIL), errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
		return "out of sockets"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed"
	}
	return "other"
}
