package kessai

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// ChargeStatus is the status of a charge.
type ChargeStatus string

// The charge statuses of API version 2019-05-29.
const (
	ChargePending    ChargeStatus = "pending"
	ChargeSuccessful ChargeStatus = "successful"
	ChargeFailed     ChargeStatus = "failed"
	ChargeReversed   ChargeStatus = "reversed"
	ChargeExpired    ChargeStatus = "expired"
)

// Authorization types: a pre-authorization may be captured partially; a final
// authorization must be captured in full.
const (
	PreAuth   = "pre_auth"
	FinalAuth = "final_auth"
)

// Charge is the Omise Charge object of API version 2019-05-29. The fields
// from Authorized to CanPerformVoid, AuthorizedAmount, Fee, FeeVat, Net and
// TransactionFees are derived from the others by [Charge.Derive] and are
// never set by hand, so that they cannot disagree with Status.
type Charge struct {
	Object                   string          `json:"object"` // "charge"
	ID                       string          `json:"id"`
	Livemode                 bool            `json:"livemode"`
	Location                 string          `json:"location"`
	Amount                   int64           `json:"amount"`
	Currency                 string          `json:"currency"`
	FundingAmount            int64           `json:"funding_amount"`
	FundingCurrency          string          `json:"funding_currency"`
	Fee                      int64           `json:"fee"`
	FeeVat                   int64           `json:"fee_vat"`
	Interest                 int64           `json:"interest"`
	InterestVat              int64           `json:"interest_vat"`
	Net                      int64           `json:"net"`
	TransactionFees          TransactionFees `json:"transaction_fees"`
	PlatformFee              PlatformFee     `json:"platform_fee"`
	Description              *string         `json:"description"`
	Metadata                 Metadata        `json:"metadata"`
	Status                   ChargeStatus    `json:"status"`
	Capture                  bool            `json:"capture"`
	Authorized               bool            `json:"authorized"`
	AuthorizedAmount         int64           `json:"authorized_amount"`
	AuthorizedAt             *Time           `json:"authorized_at"`
	AuthorizationType        *string         `json:"authorization_type"`
	CapturedAmount           int64           `json:"captured_amount"`
	Paid                     bool            `json:"paid"`
	PaidAt                   *Time           `json:"paid_at"`
	Reversed                 bool            `json:"reversed"`
	ReversedAt               *Time           `json:"reversed_at"`
	Expired                  bool            `json:"expired"`
	ExpiredAt                *Time           `json:"expired_at"`
	ExpiresAt                *Time           `json:"expires_at"`
	Voided                   bool            `json:"voided"`
	Capturable               bool            `json:"capturable"`
	Reversible               bool            `json:"reversible"`
	Refundable               bool            `json:"refundable"`
	PartiallyRefundable      bool            `json:"partially_refundable"`
	Disputable               bool            `json:"disputable"`
	CanPerformVoid           bool            `json:"can_perform_void"`
	RefundedAmount           int64           `json:"refunded_amount"`
	Refunds                  *List[*Refund]  `json:"refunds"`
	Transaction              *string         `json:"transaction"`
	Card                     *Card           `json:"card"`
	Source                   json.RawMessage `json:"source"` // always null: card charges only
	Customer                 *string         `json:"customer"`
	IP                       *string         `json:"ip"`
	Dispute                  json.RawMessage `json:"dispute"` // always null
	Link                     *string         `json:"link"`
	Schedule                 *string         `json:"schedule"`
	ReturnURI                *string         `json:"return_uri"`
	AuthorizeURI             *string         `json:"authorize_uri"`
	Authentication           *string         `json:"authentication"`
	AuthenticatedBy          *string         `json:"authenticated_by"`
	FailureCode              *string         `json:"failure_code"`
	FailureMessage           *string         `json:"failure_message"`
	MerchantAdvice           *string         `json:"merchant_advice"`
	MerchantAdviceCode       *string         `json:"merchant_advice_code"`
	Missing3DSFields         []string        `json:"missing_3ds_fields"`
	AcquirerReferenceNumber  *string         `json:"acquirer_reference_number"`
	ApprovalCode             *string         `json:"approval_code"`
	ZeroInterestInstallments bool            `json:"zero_interest_installments"`
	Branch                   *string         `json:"branch"`
	Terminal                 *string         `json:"terminal"`
	Device                   *string         `json:"device"`
	LinkedAccount            *string         `json:"linked_account"`
	CreatedAt                Time            `json:"created_at"`

	// ThreeDSecure summarizes the charge's 3-D Secure authentication, null
	// when it had none (a Kessai extension of the Omise object).
	ThreeDSecure *AuthenticationSummary `json:"three_d_secure"`

	// AccountID is the account the charge belongs to.
	AccountID string `json:"-"`
	// TokenID is the token the charge used, "" for a saved card.
	TokenID string `json:"-"`
	// Fees is the fee schedule the charge is priced with.
	Fees FeeSchedule `json:"-"`
	// Inflight names the network operation sent for the charge whose answer
	// is not recorded yet ("" when none); see the Inflight* constants.
	Inflight string `json:"-"`
	// While a capture is in flight, CapturedAmount holds the amount being
	// captured (the charge is still pending, so nothing counts it).
	// InflightAt is when Inflight was set.
	InflightAt time.Time `json:"-"`
	// NetworkRef is the network link's opaque reference of the
	// authorization, which capture, reversal and refund quote.
	NetworkRef string `json:"-"`
	// WebhookEndpoints are the charge's own webhook URLs (at most two).
	WebhookEndpoints []string `json:"-"`
	// Version grows by one with every stored change; a store update of a
	// stale copy fails with EConflict.
	Version int64 `json:"-"`
	// UpdatedAt is when the charge was last stored.
	UpdatedAt time.Time `json:"-"`
}

// In-flight network operations of a charge ([Charge.Inflight]).
const (
	InflightAuthorize = "authorize"
	InflightCapture   = "capture"
	InflightReverse   = "reverse"
	InflightExpire    = "expire" // a reversal made to expire the charge
)

// TransactionFees is the pricing a charge was made with, as the API shows it:
// decimal strings, the rates in percent ("3.65", "7.0").
type TransactionFees struct {
	FeeFlat string `json:"fee_flat"`
	FeeRate string `json:"fee_rate"`
	VatRate string `json:"vat_rate"`
}

// PlatformFee is a platform's share of a charge; its fields are null when no
// platform fee was asked for.
type PlatformFee struct {
	Fixed      *int64   `json:"fixed"`
	Amount     *int64   `json:"amount"`
	Percentage *float64 `json:"percentage"`
}

// Metadata is the free-form object a merchant attaches to charges, refunds
// and customers. A nil Metadata encodes as {}.
type Metadata map[string]any

// MaxMetadataSize bounds the encoded size of a [Metadata] value.
const MaxMetadataSize = 16 << 10

// MarshalJSON encodes m, and nil as {}.
func (m Metadata) MarshalJSON() ([]byte, error) {
	if m == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(map[string]any(m))
}

// ValidateMetadata returns an EBadRequest error when m encodes to more than
// [MaxMetadataSize] bytes or cannot be encoded, and nil otherwise.
func ValidateMetadata(m Metadata) error {
	b, err := json.Marshal(m)
	if err != nil {
		return Errorf(EBadRequest, "metadata is invalid")
	}
	if len(b) > MaxMetadataSize {
		return Errorf(EBadRequest, "metadata is too large (at most %d bytes)", MaxMetadataSize)
	}
	return nil
}

// ChargeLocation returns the API path of a charge.
func ChargeLocation(id string) string { return "/charges/" + id }

// Derive sets the fields that follow from the charge's state: object and
// location, the status flags, the authorized amount, the fees and net, the
// funding fields, and the empty defaults that must not encode as null
// (metadata, refunds, missing_3ds_fields, source and dispute).
//
// The flags follow only Status, AuthorizedAt and the amounts:
//   - authorized: the issuer approved the authorization (AuthorizedAt set),
//     whatever happened later, unless the charge failed;
//   - paid: successful; reversed, expired: the status of that name;
//   - capturable, reversible, can_perform_void: pending and authorized;
//   - voided: reversed (the authorization was voided before capture);
//   - refundable, partially_refundable: successful and not fully refunded;
//   - disputable: successful.
//
// Fees are computed on the captured amount once paid, on the amount while
// pending, and are zero for a charge that moves no money.
func (c *Charge) Derive() {
	c.Object = "charge"
	c.Location = ChargeLocation(c.ID)
	st := c.Status
	c.Authorized = c.AuthorizedAt != nil && st != ChargeFailed
	c.AuthorizedAmount = 0
	if c.Authorized {
		c.AuthorizedAmount = c.Amount
	}
	open := st == ChargePending && c.Authorized
	c.Paid = st == ChargeSuccessful
	c.Reversed = st == ChargeReversed
	c.Expired = st == ChargeExpired
	c.Voided = st == ChargeReversed
	c.Capturable = open
	c.Reversible = open
	c.CanPerformVoid = open
	c.Refundable = c.Paid && c.RefundedAmount < c.CapturedAmount
	c.PartiallyRefundable = c.Refundable
	c.Disputable = c.Paid

	var base int64
	switch st {
	case ChargeSuccessful:
		base = c.CapturedAmount
	case ChargePending:
		base = c.Amount
	}
	c.Fee, c.FeeVat, c.Net = c.Fees.Apply(base)
	c.TransactionFees = c.Fees.TransactionFees(c.Currency)
	c.Interest, c.InterestVat = 0, 0
	c.FundingAmount, c.FundingCurrency = c.Amount, c.Currency

	if c.Metadata == nil {
		c.Metadata = Metadata{}
	}
	if c.Missing3DSFields == nil {
		c.Missing3DSFields = []string{}
	}
	if c.Source == nil {
		c.Source = json.RawMessage("null")
	}
	if c.Dispute == nil {
		c.Dispute = json.RawMessage("null")
	}
	if c.Refunds == nil {
		to := c.UpdatedAt
		if to.IsZero() {
			to = c.CreatedAt.Time
		}
		c.Refunds = NewList[*Refund]("", ListParams{From: time.Unix(0, 0).UTC(), To: to, Limit: DefaultListLimit, Order: Chronological}, nil, 0)
	}
	c.Refunds.Location = ChargeLocation(c.ID) + "/refunds"
	if c.Refunds.Data == nil {
		c.Refunds.Data = []*Refund{}
	}
}

// PastExpiry reports whether the charge is an open authorization (pending
// and authorized) whose expires_at has passed at now. Such a charge can no
// longer be captured or reversed; the expiry sweeper turns it expired.
func (c *Charge) PastExpiry(now time.Time) bool {
	return c.Status == ChargePending && c.AuthorizedAt != nil && c.ExpiresAt != nil && !now.Before(c.ExpiresAt.Time)
}

// CheckCapture returns nil when amount (in the smallest unit; 0 means the
// whole amount) can be captured now. It fails with EFailedCapture when
// another operation is in flight, when the charge is not an open
// authorization, when the amount exceeds the authorized amount, or when a
// partial capture is asked of an authorization that is not pre_auth; with
// EExpiredCharge when the charge has expired or is past expires_at; with
// EInvalidAmount for a negative amount.
func (c *Charge) CheckCapture(amount int64, now time.Time) error {
	switch {
	case amount < 0:
		return Errorf(EInvalidAmount, "capture_amount must be positive")
	case c.Inflight != "":
		return Errorf(EFailedCapture, "charge is being processed")
	case c.Status == ChargeExpired || c.PastExpiry(now):
		return Errorf(EExpiredCharge, "charge expired")
	case c.Status == ChargeSuccessful:
		return Errorf(EFailedCapture, "charge was already captured")
	case c.Status != ChargePending || c.AuthorizedAt == nil:
		return Errorf(EFailedCapture, "charge is not authorized")
	case amount > c.Amount:
		return Errorf(EFailedCapture, "capture_amount is greater than the authorized amount")
	case amount != 0 && amount < c.Amount && (c.AuthorizationType == nil || *c.AuthorizationType != PreAuth):
		return Errorf(EFailedCapture, "partial capture needs authorization_type pre_auth")
	}
	return nil
}

// CheckReverse returns nil when the charge's authorization can be reversed
// now. It fails with EFailedReverse when another operation is in flight or
// the charge is not an open authorization, and with EExpiredCharge when it
// has expired or is past expires_at.
func (c *Charge) CheckReverse(now time.Time) error {
	switch {
	case c.Inflight != "":
		return Errorf(EFailedReverse, "charge is being processed")
	case c.Status == ChargeExpired || c.PastExpiry(now):
		return Errorf(EExpiredCharge, "charge expired")
	case c.Status == ChargeSuccessful:
		return Errorf(EFailedReverse, "charge was captured: refund it instead")
	case c.Status != ChargePending || c.AuthorizedAt == nil:
		return Errorf(EFailedReverse, "charge is not authorized")
	}
	return nil
}

// CheckExpire returns nil when the charge can be made to expire: it is
// pending with no operation in flight. It fails with EFailedExpire otherwise.
func (c *Charge) CheckExpire() error {
	switch {
	case c.Inflight != "":
		return Errorf(EFailedExpire, "charge is being processed")
	case c.Status == ChargeExpired:
		return Errorf(EFailedExpire, "charge has already expired")
	case c.Status != ChargePending:
		return Errorf(EFailedExpire, "charge is not pending")
	}
	return nil
}

// CheckRefund returns nil when amount can be refunded. It fails with
// EInvalidAmount for an amount that is not positive, and with EFailedRefund
// when the charge is not captured, an operation on it is in flight, or the
// amount exceeds what remains refundable.
func (c *Charge) CheckRefund(amount int64) error {
	switch {
	case amount <= 0:
		return Errorf(EInvalidAmount, "amount must be positive")
	case c.Inflight != "":
		return Errorf(EFailedRefund, "charge is being processed")
	case c.Status != ChargeSuccessful:
		return Errorf(EFailedRefund, "charge is not captured")
	case amount > c.CapturedAmount-c.RefundedAmount:
		return Errorf(EFailedRefund, "amount is greater than the refundable amount (%d)", c.CapturedAmount-c.RefundedAmount)
	}
	return nil
}

// MarkAuthorized records an approved authorization at at with the issuer's
// approval code; the charge stays pending.
func (c *Charge) MarkAuthorized(at time.Time, approvalCode string) {
	c.AuthorizedAt = NewTime(at)
	if approvalCode != "" {
		c.ApprovalCode = &approvalCode
	}
	c.Inflight, c.InflightAt = "", time.Time{}
	c.Derive()
}

// MarkCaptured records a capture of amount at at, credited by transaction
// trxnID: the charge becomes successful.
func (c *Charge) MarkCaptured(amount int64, at time.Time, trxnID string) {
	c.Status = ChargeSuccessful
	c.CapturedAmount = amount
	c.PaidAt = NewTime(at)
	if trxnID != "" {
		c.Transaction = &trxnID
	}
	c.Inflight, c.InflightAt = "", time.Time{}
	c.Derive()
}

// MarkFailed records a declined or failed charge with its failure code; the
// message is the code's standard message unless one is given.
func (c *Charge) MarkFailed(code, message string) {
	if message == "" {
		message = FailureMessage(code)
	}
	c.Status = ChargeFailed
	c.FailureCode, c.FailureMessage = &code, &message
	c.AuthorizedAt = nil
	c.Inflight, c.InflightAt = "", time.Time{}
	c.Derive()
}

// MarkReversed records the reversal of the authorization at at.
func (c *Charge) MarkReversed(at time.Time) {
	c.Status = ChargeReversed
	c.ReversedAt = NewTime(at)
	c.Inflight, c.InflightAt = "", time.Time{}
	c.Derive()
}

// MarkExpired records that the charge expired at at.
func (c *Charge) MarkExpired(at time.Time) {
	c.Status = ChargeExpired
	c.ExpiredAt = NewTime(at)
	c.Inflight, c.InflightAt = "", time.Time{}
	c.Derive()
}

// MarkInflight records that operation op (an Inflight* constant) is about to
// be sent to the network at at.
func (c *Charge) MarkInflight(op string, at time.Time) {
	c.Inflight, c.InflightAt = op, at
}

// ChargeExpiry returns when an authorization made at created by an account of
// country expires if not captured: 30 days for Japan, 7 days elsewhere.
func ChargeExpiry(country string, created time.Time) time.Time {
	if country == "JP" || country == "jp" {
		return created.AddDate(0, 0, 30)
	}
	return created.AddDate(0, 0, 7)
}

// failureMessages are the standard messages of the charge failure codes.
var failureMessages = map[string]string{
	"insufficient_fund":         "insufficient funds",
	"stolen_or_lost_card":       "stolen or lost card",
	"failed_processing":         "processing failed",
	"payment_rejected":          "payment rejected",
	"invalid_security_code":     "invalid security code",
	"failed_fraud_check":        "fraud check failed",
	"invalid_account_number":    "invalid account number",
	"invalid_account":           "invalid account",
	"insufficient_balance":      "insufficient balance",
	"payment_cancelled":         "payment cancelled",
	"expired_card":              "card is expired",
	"timeout":                   "timeout",
	"confirmed_amount_mismatch": "final amount does not match the charged amount",
}

// FailureMessage returns the failure_message shown with a charge failure
// code, or "payment failed" for a code it does not know.
func FailureMessage(code string) string {
	if m, ok := failureMessages[code]; ok {
		return m
	}
	return "payment failed"
}

// ChargeInput is what POST /charges asks for.
type ChargeInput struct {
	Amount   int64
	Currency string
	// Card is a token ("tokn_…") or, with Customer, one of the customer's
	// cards ("card_…").
	Card string
	// Customer charges the customer's default card, or Card.
	Customer string
	// Capture false only authorizes; nil means true.
	Capture     *bool
	Description *string
	Metadata    Metadata
	IP          *string
	ReturnURI   *string
	// AuthorizationType is PreAuth, FinalAuth or "".
	AuthorizationType string
	// ExpiresAt overrides the default expiry of an uncaptured authorization.
	ExpiresAt *time.Time
	// WebhookEndpoints are at most two URLs that get this charge's events.
	WebhookEndpoints []string
	// TransactionIndicator is "MIT" for a charge of a saved card that the
	// merchant makes without the cardholder, "CIT" or "" otherwise.
	TransactionIndicator string
	// Authentication is "3DS" to authenticate the cardholder with 3-D
	// Secure before the authorization (it needs ReturnURI), "" to let the
	// account's policy and the fraud engine decide.
	Authentication string
}

// ChargeUpdate is what PATCH /charges/:id may change; nil fields are kept.
type ChargeUpdate struct {
	Description *string
	Metadata    Metadata
}

// ChargeService manages charges. Every method acts within auth's account and
// mode; an id of another account or mode is ENotFound.
type ChargeService interface {
	// CreateCharge validates in, authorizes the amount on the card and, when
	// in.Capture is not false, captures it. A declined card is not an error:
	// the charge is returned with status failed and a failure_code. Returns
	// EInvalidCharge for a bad amount or currency, EUsedToken, ENotFound,
	// EMissingCard, EInvalidCard, EBadRequest for other bad parameters.
	CreateCharge(ctx context.Context, auth *Auth, in *ChargeInput) (*Charge, error)
	// FindCharge returns a charge. Returns ENotFound.
	FindCharge(ctx context.Context, auth *Auth, id string) (*Charge, error)
	// ListCharges returns a page of the charges.
	ListCharges(ctx context.Context, auth *Auth, p ListParams) (*List[*Charge], error)
	// UpdateCharge changes a charge's description and metadata. Returns
	// ENotFound, EBadRequest.
	UpdateCharge(ctx context.Context, auth *Auth, id string, upd *ChargeUpdate) (*Charge, error)
	// CaptureCharge captures an authorized charge, amount 0 meaning the
	// whole amount. Returns the errors of [Charge.CheckCapture], ENotFound,
	// and EFailedCapture when the network refuses the capture.
	CaptureCharge(ctx context.Context, auth *Auth, id string, amount int64) (*Charge, error)
	// ReverseCharge voids an uncaptured authorization. Returns the errors of
	// [Charge.CheckReverse], ENotFound.
	ReverseCharge(ctx context.Context, auth *Auth, id string) (*Charge, error)
	// ExpireCharge makes a pending charge expire at once, reversing its
	// authorization. Returns EFailedExpire, ENotFound.
	ExpireCharge(ctx context.Context, auth *Auth, id string) (*Charge, error)
}

// ChargeLimit is the smallest and the largest amount of one charge, in the
// smallest unit of Currency.
type ChargeLimit struct {
	Currency string
	Min, Max int64
}

// chargeLimits are the per-country limits of a card charge in the country's
// own currency (omise-api.md §9).
var chargeLimits = map[string]ChargeLimit{
	"TH": {"thb", 2000, 15_000_000},
	"JP": {"jpy", 100, 6_000_000},
	"SG": {"sgd", 100, 2_000_000},
	"MY": {"myr", 100, 10_000_000},
}

// MaxChargeAmount bounds a charge in any currency, in its smallest unit, so
// that no amount arithmetic can overflow.
const MaxChargeAmount = 100_000_000_000

// ChargeLimitFor returns the charge limits of an account country for charges
// in currency, and false when there are none: the country has no table, or
// currency is not its own (the limits of foreign-currency charges apply after
// conversion, which Kessai does not do).
func ChargeLimitFor(country, currency string) (ChargeLimit, bool) {
	l, ok := chargeLimits[strings.ToUpper(country)]
	if !ok || !strings.EqualFold(l.Currency, currency) {
		return ChargeLimit{}, false
	}
	return l, true
}

// ValidateChargeAmount checks a charge's currency and amount for an account
// and returns the currency in lowercase. It fails with EInvalidCharge when
// the currency is not one the account supports, when the amount is not
// positive or above [MaxChargeAmount], or when it is outside the limits of
// the account's country for its own currency.
func ValidateChargeAmount(acct *Account, currency string, amount int64) (string, error) {
	cur := strings.ToLower(strings.TrimSpace(currency))
	supported := acct.SupportedCurrencies
	if len(supported) == 0 {
		supported = SupportedCurrencies(acct.Country)
	}
	if cur == "" {
		return "", Errorf(EInvalidCharge, "currency is required")
	}
	if !slices.Contains(supported, cur) {
		return "", Errorf(EInvalidCharge, "currency is currently not supported")
	}
	if amount <= 0 {
		return "", Errorf(EInvalidCharge, "amount must be greater than 0")
	}
	if amount > MaxChargeAmount {
		return "", Errorf(EInvalidCharge, "amount must be at most %d", int64(MaxChargeAmount))
	}
	if l, ok := ChargeLimitFor(acct.Country, cur); ok {
		if amount < l.Min {
			return "", Errorf(EInvalidCharge, "amount must be at least %d", l.Min)
		}
		if amount > l.Max {
			return "", Errorf(EInvalidCharge, "amount must be at most %d", l.Max)
		}
	}
	return cur, nil
}
