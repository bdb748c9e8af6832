package kessai

import (
	"context"
	"errors"
	"time"

	"github.com/kessai/kessai/card"
)

// NetworkLink is the gateway's connection to the card network: it sends
// authorizations, captures, reversals and refunds to the issuer host and
// returns the issuer's answers. iso8583link implements it over ISO 8583.
//
// Every request is recorded durably before it is sent. An authorization or
// refund whose answer is lost (timeout, connection lost) is reversed by the
// link itself, from a durable queue, until the issuer acknowledges: the
// caller only has to fail the charge.
type NetworkLink interface {
	// Authorize asks the issuer to hold req.Amount on the card. A decline
	// is an answer, not an error: see AuthResult.Approved and
	// FailureCode. Fails with:
	//   - EInvalidCharge for a request the network cannot carry (unknown
	//     currency, negative amount, no card);
	//   - EUnavailable wrapping [ErrNetworkUnavailable] when the link is
	//     down: nothing was sent;
	//   - EUnavailable wrapping [ErrNetworkTimeout] when the request was
	//     sent and no answer came in time: a reversal is already queued,
	//     and the charge must fail with failure code "timeout".
	Authorize(ctx context.Context, req *AuthRequest) (*AuthResult, error)

	// Capture posts the approved authorization made for req.Reference (a
	// 0220 advice). Calling it again for the same reference after an
	// answer returns the recorded answer; after a timeout it repeats the
	// same advice (0221). Fails with EFailedCapture when the reference has
	// no approved authorization, and like Authorize (without a reversal)
	// when the network is down or silent.
	Capture(ctx context.Context, req *NetworkCaptureRequest) (*NetworkResult, error)

	// Reverse cancels the approved authorization made for req.Reference
	// (a void): the reversal is queued durably and sent at once. It
	// returns whether the issuer has acknowledged it yet; if not, the link
	// keeps retrying. Calling it again for the same reference queues
	// nothing new. Fails with EFailedReverse when the reference has no
	// approved authorization, and only when the reversal could not be
	// queued otherwise.
	Reverse(ctx context.Context, req *NetworkReverseRequest) (*NetworkReverseResult, error)

	// Refund credits the card of the approved authorization made for
	// req.ChargeReference (a 0200 with processing code 20). Fails with
	// EFailedRefund when there is no such authorization, and like
	// Authorize otherwise (a timed-out refund is reversed by the link).
	Refund(ctx context.Context, req *NetworkRefundRequest) (*NetworkResult, error)
}

// PreparingLink is a [NetworkLink] whose authorizations can be recorded in
// the caller's own write transaction, so that a charge's in-flight state and
// the record of its request commit together, and the answer together with
// the charge's outcome, instead of in writes of their own:
//
//  1. PrepareAuthorize assigns the request its trace number (STAN) and
//     returns its pending record; nothing is written or sent.
//  2. The caller fills in the card (req.Card, expiry, security code) and
//     stores Record() in its transaction (sqlstore's
//     Tx.InsertNetworkMessage), which must commit before step 3.
//  3. SendAuthorize sends the request and returns the issuer's answer
//     without recording it. When the answer is lost it records that, and
//     queues the reversal, itself; then it fails like Authorize.
//  4. The caller records the answer (Tx.AnswerNetworkMessage) in the
//     transaction that stores the outcome, and must treat the answer as
//     lost (fail the charge) when the record is no longer pending: the
//     link gave it up and is reversing it.
//
// If the caller dies between 3 and 4, the record stays pending, and the
// link's stale sweep reverses it like any request whose sender died.
type PreparingLink interface {
	NetworkLink
	// PrepareAuthorize prepares the authorization of req; with capture it
	// is a sale (a 0200 financial request, posted by the issuer at once)
	// rather than a hold, and needs no Capture afterwards. req's card
	// fields are read by Record and SendAuthorize, not here. Fails like
	// Authorize when nothing can be sent.
	PrepareAuthorize(ctx context.Context, req *AuthRequest, capture bool) (PreparedAuth, error)
	// SendAuthorize sends a prepared authorization whose record has
	// committed, once, and returns the answer; see [PreparingLink].
	SendAuthorize(ctx context.Context, p PreparedAuth) (*AuthResult, error)
}

// PreparedAuth is an authorization prepared by a [PreparingLink].
type PreparedAuth interface {
	// Record returns the request's pending record, with its ID and the
	// card's last digits: what the caller stores before sending.
	Record() *NetworkMessage
}

// Errors of a [NetworkLink], wrapped in an *Error with code EUnavailable.
var (
	// ErrNetworkUnavailable means the link is not connected: nothing was
	// sent, and retrying later is safe.
	ErrNetworkUnavailable = errors.New("kessai: card network unavailable")
	// ErrNetworkTimeout means a request was sent and its answer did not
	// arrive in time; the link reverses what it may have done.
	ErrNetworkTimeout = errors.New("kessai: card network did not answer in time")
)

// StoredCredential says how a card on file is used in an authorization.
type StoredCredential string

// Stored credential uses.
const (
	// StoredCredentialNone is a card entered for this payment only.
	StoredCredentialNone StoredCredential = ""
	// StoredCredentialInitial is a card entered now and being stored.
	StoredCredentialInitial StoredCredential = "initial"
	// StoredCredentialCardholder is a stored card the cardholder uses now.
	StoredCredentialCardholder StoredCredential = "cardholder"
	// StoredCredentialMerchant is a stored card the merchant charges
	// without the cardholder (recurring, instalments).
	StoredCredentialMerchant StoredCredential = "merchant"
)

// AuthRequest is what the charge service asks the network to authorize.
// Only the vault fills Card and SecurityCode; both mask themselves.
type AuthRequest struct {
	// Reference is the charge id. It names the authorization in later
	// captures, reversals and refunds, and reaches the issuer's ledger.
	Reference string
	// MerchantID identifies the merchant to the network (DE42, at most
	// 15 characters are sent: longer ids are cut to their last 15).
	MerchantID string
	// TerminalID is the merchant's virtual terminal (DE41, at most 8
	// characters); "" uses the link's default terminal.
	TerminalID string

	Card            card.Number
	ExpirationMonth int
	ExpirationYear  int
	// SecurityCode is checked by the issuer when set, and never stored.
	SecurityCode card.SecurityCode

	// Amount is in the currency's minor unit; 0 verifies the card
	// without holding anything.
	Amount   int64
	Currency string // ISO 4217 alphabetic, any case: "jpy"

	StoredCredential StoredCredential

	// 3-D Secure results, when the payment was authenticated.
	ECI             string // 05 full, 06 attempted, 07 none
	CAVV            string
	ThreeDSVersion  string
	DSTransactionID string
}

// NetworkResult is the issuer's answer to a request.
type NetworkResult struct {
	// NetworkRef is the link's id of the request's record: an opaque
	// reference that captures, reversals and refunds may quote.
	NetworkRef string
	Approved   bool
	// ResponseCode is the ISO 8583 response code (DE39), such as "00" or
	// "51".
	ResponseCode string
	// FailureCode is the Omise failure_code of a decline ("" when
	// approved): insufficient_fund, stolen_or_lost_card,
	// failed_processing, payment_rejected, failed_fraud_check,
	// invalid_account_number, invalid_security_code or expired_card.
	FailureCode string
	// FailureMessage is a short lowercase description of FailureCode.
	FailureMessage string
	ApprovalCode   string
	// RRN is the retrieval reference number, shared with the issuer.
	RRN           string
	STAN          string
	TerminalID    string
	TransmittedAt time.Time
}

// AuthResult is the issuer's answer to an authorization.
type AuthResult struct {
	NetworkResult
	// SecurityCodeResult is the issuer's CVV2 result: "M" match, "N" no
	// match, "P" not processed, "U" unavailable, "" when no code was sent.
	SecurityCodeResult string
}

// SecurityCodeCheck reports whether the issuer checked the security code
// and it matched: the Card object's security_code_check.
func (r *AuthResult) SecurityCodeCheck() bool { return r.SecurityCodeResult == "M" }

// NetworkCaptureRequest asks to post an approved authorization.
type NetworkCaptureRequest struct {
	// Reference is the charge id the authorization was made for.
	Reference string
	// NetworkRef, when set, names the authorization by its
	// AuthResult.NetworkRef; otherwise the last approved authorization
	// made for Reference is meant.
	NetworkRef string
	// Amount to post, at most the authorized amount (the rest of the hold
	// is released); 0 posts the authorized amount.
	Amount int64
}

// NetworkReverseRequest asks to cancel an approved authorization.
type NetworkReverseRequest struct {
	// Reference is the charge id the authorization was made for.
	Reference string
	// NetworkRef, when set, names the authorization by its
	// AuthResult.NetworkRef; otherwise the last approved authorization
	// made for Reference is meant.
	NetworkRef string
}

// NetworkReverseResult says whether a reversal has reached the issuer.
type NetworkReverseResult struct {
	// Delivered is true once the issuer has acknowledged the reversal.
	// When false, the link keeps retrying it.
	Delivered bool
	// ResponseCode is the issuer's code on delivery.
	ResponseCode string
}

// NetworkRefundRequest asks to credit the card of an authorization.
type NetworkRefundRequest struct {
	// Reference is the refund id.
	Reference string
	// ChargeReference is the charge id the authorization was made for.
	ChargeReference string
	// NetworkRef, when set, names the authorization by its
	// AuthResult.NetworkRef; otherwise the last approved authorization
	// made for ChargeReference is meant.
	NetworkRef string
	Amount     int64
	Currency   string // ISO 4217 alphabetic; "" is the charge's
}

// NetworkMessage is the record of one request sent to the card network:
// what was sent (never the card number or security code) and the answer.
type NetworkMessage struct {
	ID             string
	Reference      string // charge or refund id
	MTI            string // "0100", "0200", "0220"
	ProcessingCode string
	STAN           string
	TransmittedAt  time.Time // DE7, whole seconds
	AcquirerID     string
	TerminalID     string
	MerchantID     string
	RRN            string
	Amount         int64
	Currency       string // ISO 4217 numeric, as sent
	LastDigits     string
	// OriginalID is the record of the authorization a capture or refund
	// refers to, or "".
	OriginalID string
	// Status is "pending" until the answer is recorded ("answered"), or
	// the answer is given up ("unanswered") or nothing was sent
	// ("not_sent").
	Status       string
	ResponseCode string
	ApprovalCode string
	CreatedAt    time.Time
	AnsweredAt   time.Time
}

// Network message statuses.
const (
	NetworkPending    = "pending"
	NetworkAnswered   = "answered"
	NetworkUnanswered = "unanswered"
	NetworkNotSent    = "not_sent"
)

// NetworkReversal is a reversal in the link's durable queue. Its STAN and
// transmission time are fixed when it is queued, so that every repeat sends
// the same message.
type NetworkReversal struct {
	ID            string
	MessageID     string          // the request reversed
	Message       *NetworkMessage // filled when read back
	Reason        string          // "timeout", "connection_lost", "void", "stale"
	STAN          string
	TransmittedAt time.Time
	// Status is "queued" until any answer arrives ("done"), or until the
	// retry horizon passes ("expired": reconcile by hand).
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	ResponseCode  string
	CreatedAt     time.Time
	DoneAt        time.Time
}

// Reversal statuses.
const (
	ReversalQueued  = "queued"
	ReversalDone    = "done"
	ReversalExpired = "expired"
)

// NetworkStore keeps the network link's durable state: the record of every
// request, the per-terminal STAN counters and the reversal queue. Every
// method is safe with several gateway nodes on one database.
type NetworkStore interface {
	// ReserveSTANs reserves n consecutive trace numbers of a terminal and
	// returns the first; numbers run from 1 to 999999 and wrap.
	ReserveSTANs(ctx context.Context, terminalID string, n int) (first int, err error)

	// CreateNetworkMessage records m as pending before it is sent; m.ID
	// and m.CreatedAt are filled in.
	CreateNetworkMessage(ctx context.Context, m *NetworkMessage) error

	// AnswerNetworkMessage records the answer of a pending message. It
	// returns false, changing nothing, when the message is no longer
	// pending (it was given up and is being reversed).
	AnswerNetworkMessage(ctx context.Context, id, responseCode, approvalCode string) (bool, error)

	// AbandonNetworkMessage marks a pending message with status
	// (NetworkUnanswered or NetworkNotSent) and, when rev is not nil,
	// queues rev for it in the same transaction (rev.ID, CreatedAt and
	// Status are filled in). It returns false, changing nothing, when the
	// message is no longer pending.
	AbandonNetworkMessage(ctx context.Context, id, status string, rev *NetworkReversal) (bool, error)

	// FindNetworkMessage returns the record with the given id. Returns
	// ENotFound if there is none.
	FindNetworkMessage(ctx context.Context, id string) (*NetworkMessage, error)

	// FindNetworkMessages returns the records of a reference, oldest first.
	FindNetworkMessages(ctx context.Context, reference string) ([]*NetworkMessage, error)

	// StaleNetworkMessages returns up to limit messages still pending that
	// were created before before: requests whose sender died.
	StaleNetworkMessages(ctx context.Context, before time.Time, limit int) ([]*NetworkMessage, error)

	// QueueReversal queues rev for rev.MessageID unless a reversal of that
	// message exists already; it returns the reversal now queued or found.
	QueueReversal(ctx context.Context, rev *NetworkReversal) (*NetworkReversal, error)

	// DueReversals returns up to limit queued reversals whose next
	// attempt is due at now, with their Message, oldest first.
	DueReversals(ctx context.Context, now time.Time, limit int) ([]*NetworkReversal, error)

	// ClaimReversal records an attempt: if the reversal is still queued
	// with attempts attempts, it sets attempts+1 and the next attempt
	// time, and returns true; otherwise (another node claimed it) false.
	ClaimReversal(ctx context.Context, id string, attempts int, next time.Time) (bool, error)

	// FinishReversal ends a queued reversal with status ReversalDone or
	// ReversalExpired and the issuer's response code.
	FinishReversal(ctx context.Context, id, status, responseCode string) error

	// ListReversals returns the reversals with the given status ("" for
	// all), oldest first, with their Message.
	ListReversals(ctx context.Context, status string) ([]*NetworkReversal, error)
}
