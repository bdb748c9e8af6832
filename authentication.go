package kessai

import (
	"context"
	"time"

	"github.com/kessai/kessai/card"
)

// AuthenticationState is where a 3-D Secure authentication stands. It is
// kept apart from the charge's status: the charge stays pending, without an
// authorization, until the authentication reaches a final state.
type AuthenticationState string

// The states of an authentication. The first four are open; the others are
// final and never change again.
const (
	// AuthPending: created with the charge, waiting for the browser to
	// open the charge's authorize_uri.
	AuthPending AuthenticationState = "pending"
	// AuthMethodPending: the page runs the issuer's 3DS Method; the AReq
	// is sent when it completes or after the method time limit.
	AuthMethodPending AuthenticationState = "method_pending"
	// AuthChallengeRequired: the ARes asked for a challenge (C); the CReq
	// has not been handed to the browser yet.
	AuthChallengeRequired AuthenticationState = "challenge_required"
	// AuthInChallenge: the browser holds the CReq; the RReq is awaited.
	AuthInChallenge AuthenticationState = "in_challenge"

	AuthAuthenticated AuthenticationState = "authenticated" // Y
	AuthAttempted     AuthenticationState = "attempted"     // A
	AuthFailed        AuthenticationState = "failed"        // N
	AuthRejected      AuthenticationState = "rejected"      // R
	AuthUnavailable   AuthenticationState = "unavailable"   // U
	// AuthInformational: I, the issuer acknowledged the requestor's
	// exemption without authenticating; the payment is authorized without
	// a CAVV and without liability shift.
	AuthInformational AuthenticationState = "informational"
	// AuthError: a protocol error (an Erro, a malformed answer, the DS
	// unreachable): the payment fails without an authorization.
	AuthError AuthenticationState = "error"
	// AuthTimeout: a timer ran out (first CReq, challenge, abandoned
	// page): the payment fails without an authorization.
	AuthTimeout AuthenticationState = "timeout"
)

// Final reports whether s is a final state.
func (s AuthenticationState) Final() bool {
	switch s {
	case AuthPending, AuthMethodPending, AuthChallengeRequired, AuthInChallenge:
		return false
	}
	return true
}

// Succeeded reports whether s authenticates the payment (with a CAVV and
// the liability shift): the cardholder was authenticated, or the issuer
// attested the attempt.
func (s AuthenticationState) Succeeded() bool { return s == AuthAuthenticated || s == AuthAttempted }

// StateOfTransStatus returns the final state of an EMV 3DS transStatus
// (Y, A, N, R, U, I), and AuthError for anything else.
func StateOfTransStatus(ts string) AuthenticationState {
	switch ts {
	case "Y":
		return AuthAuthenticated
	case "A":
		return AuthAttempted
	case "N":
		return AuthFailed
	case "R":
		return AuthRejected
	case "U":
		return AuthUnavailable
	case "I":
		return AuthInformational
	}
	return AuthError
}

// Authentication is the 3-D Secure authentication of a charge: the 3DS
// Server's record of one EMV 3DS transaction. Its id (paym_…) names it in
// the charge's authorize_uri.
type Authentication struct {
	ID        string
	ChargeID  string
	AccountID string
	Livemode  bool
	State     AuthenticationState
	// Flow is "frictionless" or "challenge" once the ARes is in.
	Flow string
	// MessageVersion is the EMV 3DS version of the transaction.
	MessageVersion string
	// ServerTransID (threeDSServerTransID) is known from creation;
	// DSTransID and ACSTransID come with the ARes.
	ServerTransID string
	DSTransID     string
	ACSTransID    string
	// MethodURL is the ACS's 3DS Method URL ("" when the card range has
	// none); MethodDone is set when its notification arrived in time.
	MethodURL  string
	MethodDone bool
	// CompInd is the threeDSCompInd sent in the AReq (Y, N or U).
	CompInd string
	// ACSURL is where the browser posts the CReq.
	ACSURL string
	// TransStatus and TransStatusReason are the latest answer's.
	TransStatus       string
	TransStatusReason string
	ECI               string
	// CAVV is the authentication value in clear, set only in memory: it is
	// stored sealed by the vault, and filled in again only for the
	// authorization.
	CAVV            Secret
	ChallengeCancel string
	// ErrorCode and ErrorDetail describe an AuthError (an Erro's
	// errorCode and errorDescription, or the local failure).
	ErrorCode   string
	ErrorDetail string
	// Display is "popup" when the page was opened by Kessai.authorize in
	// a popup, "" otherwise: it decides how the final page hands back.
	Display string
	// Deadline is when the current state times out; the sweeper moves an
	// open authentication past it to AuthTimeout.
	Deadline  time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
	// Version grows by one with every stored change; storing a stale copy
	// fails with EConflict.
	Version int64
}

// Summary returns what the charge shows of the authentication.
func (a *Authentication) Summary() *AuthenticationSummary {
	s := &AuthenticationSummary{
		ID: a.ID, Status: string(a.State), Version: a.MessageVersion, Flow: a.Flow,
		TransStatus: a.TransStatus, TransStatusReason: a.TransStatusReason, ECI: a.ECI, DSTransID: a.DSTransID,
		LiabilityShift: a.State.Succeeded(),
	}
	return s
}

// AuthenticationSummary is the summary of a charge's 3-D Secure
// authentication that the Charge object shows as three_d_secure (a Kessai
// extension; the Omise field authenticated_by says "3DS"). Empty strings
// encode as null.
type AuthenticationSummary struct {
	ID                string `json:"id"`
	Status            string `json:"status"`
	Version           string `json:"version,omitempty"`
	Flow              string `json:"flow,omitempty"`
	TransStatus       string `json:"trans_status,omitempty"`
	TransStatusReason string `json:"trans_status_reason,omitempty"`
	ECI               string `json:"eci,omitempty"`
	DSTransID         string `json:"ds_trans_id,omitempty"`
	// LiabilityShift is true when the authorization carries an
	// authentication (Y or A, with a CAVV), false when it went without
	// (I, or U under the account's authorize policy) or did not happen.
	LiabilityShift bool `json:"liability_shift"`
}

// AuthenticationMessage is one EMV 3DS message of an authentication, kept
// as evidence: the JSON as sent or received, with the card number masked
// and the authentication value removed.
type AuthenticationMessage struct {
	AuthenticationID string
	// Type is the messageType: AReq, ARes, CReq, CRes, RReq, RRes, Erro,
	// or "Method" for the 3DS Method notification.
	Type string
	// Inbound is true for a message the 3DS Server received.
	Inbound   bool
	Body      []byte
	CreatedAt time.Time
}

// AuthenticationCard is the card data an AReq carries; Number masks itself.
type AuthenticationCard struct {
	Number          card.Number
	ExpirationMonth int
	ExpirationYear  int
	Name            string
}

// AuthenticationService is what the 3DS Server needs of the payment side.
// Every method fails with ENotFound for an unknown id.
type AuthenticationService interface {
	// FindAuthentication returns an authentication by its id.
	FindAuthentication(ctx context.Context, id string) (*Authentication, error)
	// FindAuthenticationByTransID returns the authentication of a
	// threeDSServerTransID.
	FindAuthenticationByTransID(ctx context.Context, transID string) (*Authentication, error)
	// AuthenticationCharge returns the charge an authentication is for.
	AuthenticationCharge(ctx context.Context, a *Authentication) (*Charge, error)
	// AuthenticationCard reveals the card of an authentication that is
	// still open, for the AReq. Fails with EBadRequest once it is final.
	AuthenticationCard(ctx context.Context, a *Authentication) (*AuthenticationCard, error)
	// SaveAuthentication stores a changed open state of a (a.Version is
	// the version read), with msgs, in one transaction. Fails with
	// EConflict when a was changed meanwhile (a refresh, a double
	// submit): the caller reads it again.
	SaveAuthentication(ctx context.Context, a *Authentication, msgs ...*AuthenticationMessage) error
	// FinishAuthentication stores the final state of a with msgs and then
	// settles the charge: an authentication that succeeded (Y, A) is
	// authorized over the card network with its ECI and CAVV; an
	// informational one (I), and an unavailable one (U) when the account
	// says authorize, without a CAVV (ECI 07, Mastercard 00); any other
	// fails the charge (payment_rejected, or timeout) without an
	// authorization. The charge gets its charge.complete event. Returns the settled charge.
	// Fails with EConflict, changing nothing, when a was changed
	// meanwhile (in particular when it is already final).
	FinishAuthentication(ctx context.Context, a *Authentication, msgs ...*AuthenticationMessage) (*Charge, error)
}
