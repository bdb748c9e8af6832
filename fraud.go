package kessai

import (
	"context"
	"encoding/json"
	"time"
)

// FraudAction is what a fraud rule, and so a fraud decision, does with a
// charge.
type FraudAction string

// The fraud actions. Rules are evaluated as Stripe Radar evaluates them:
// request_3ds rules first (a match does not end the evaluation), then allow
// (a match skips block and review), then block (a match skips review), then
// review.
const (
	// FraudAllow lets the charge through, overriding block and review.
	FraudAllow FraudAction = "allow"
	// FraudBlock fails the charge with failed_fraud_check before anything
	// is sent to the network.
	FraudBlock FraudAction = "block"
	// FraudReview authorizes the charge but keeps it from being captured
	// until a merchant approves it.
	FraudReview FraudAction = "review"
	// FraudRequest3DS sends the charge through 3-D Secure first.
	FraudRequest3DS FraudAction = "request_3ds"
)

// FraudRule is a screening rule of an account, such as
// "block if cards_per_ip_1h >= 5 and declines_per_ip_1h >= 3". Built-in
// rules (Default) have fixed ids ("frul_default_…") and can be disabled or
// put in shadow mode but not rewritten or deleted.
type FraudRule struct {
	Object      string      `json:"object"` // "fraud_rule"
	ID          string      `json:"id"`
	Livemode    bool        `json:"livemode"`
	Location    string      `json:"location"`
	Rule        string      `json:"rule"`
	Action      FraudAction `json:"action"`
	Description string      `json:"description"`
	// Enabled rules are evaluated; disabled ones are kept but ignored.
	Enabled bool `json:"enabled"`
	// Shadow rules are evaluated and their matches recorded and counted,
	// but they do not change the decision.
	Shadow  bool `json:"shadow"`
	Default bool `json:"default"`
	// Fired, Blocked and Reviewed count the charges the rule matched, and
	// those it blocked or sent to review (in shadow mode: would have).
	Fired     int64 `json:"fired"`
	Blocked   int64 `json:"blocked"`
	Reviewed  int64 `json:"reviewed"`
	CreatedAt Time  `json:"created_at"`
	UpdatedAt Time  `json:"updated_at"`

	// AccountID is the account the rule belongs to.
	AccountID string `json:"-"`
}

// Fraud list kinds: a block list entry blocks a matching charge, an allow
// list entry lets it through (allow beats block).
const (
	FraudBlockList = "block"
	FraudAllowList = "allow"
)

// Fraud list item types: what a list entry's value is matched against.
const (
	FraudItemFingerprint = "card_fingerprint" // the card's fingerprint
	FraudItemEmail       = "email"            // the customer's email, case-insensitive
	FraudItemIP          = "ip_address"       // an IP address or a CIDR range
	FraudItemBIN         = "card_bin"         // the card's first 6 (or 8) digits
	FraudItemCardCountry = "card_country"     // the issuing country, ISO 3166-1 alpha-2
	FraudItemIPCountry   = "ip_country"       // the country of the customer's IP
)

// FraudListItem is one entry of an account's block or allow list.
type FraudListItem struct {
	Object    string `json:"object"` // "fraud_list_item"
	ID        string `json:"id"`
	Livemode  bool   `json:"livemode"`
	Location  string `json:"location"`
	List      string `json:"list"` // FraudBlockList or FraudAllowList
	Type      string `json:"type"` // one of the FraudItem* types
	Value     string `json:"value"`
	Enabled   bool   `json:"enabled"`
	CreatedAt Time   `json:"created_at"`

	// AccountID is the account the entry belongs to.
	AccountID string `json:"-"`
}

// FiredRule is a rule that matched a charge.
type FiredRule struct {
	ID     string      `json:"id"`
	Rule   string      `json:"rule"`
	Action FraudAction `json:"action"`
	Shadow bool        `json:"shadow"`
}

// RiskReason is one contribution to a risk score.
type RiskReason struct {
	Code   string `json:"code"`
	Points int    `json:"points"`
	Detail string `json:"detail"`
}

// FraudDecision is the outcome of screening a charge.
type FraudDecision struct {
	Object string `json:"object"` // "fraud_decision"
	// Action is the enforced action: allow unless an enforcing rule or a
	// list entry decided otherwise.
	Action FraudAction `json:"action"`
	// Request3DS is set when a request_3ds rule matched, whatever Action
	// is (a block still wins: it never reaches 3-D Secure).
	Request3DS bool `json:"request_3ds"`
	// Rules lists every rule that matched, shadow ones included, in
	// evaluation order; the list entry that matched, if any, appears as a
	// rule with id "list:<list item id>".
	Rules     []FiredRule  `json:"rules"`
	RiskScore int          `json:"risk_score"`
	RiskLevel string       `json:"risk_level"` // normal, elevated, highest
	Reasons   []RiskReason `json:"reasons"`
	Charge    string       `json:"charge,omitempty"`
	CreatedAt Time         `json:"created_at"`

	// Inputs is what the engine decided from (the charge's attributes and
	// the velocity counts at the time), stored with the decision so that
	// a backtest can replay it through other rules; opaque outside the
	// engine.
	Inputs json.RawMessage `json:"-"`
}

// FraudOutcome is what happened to a screened charge, for the counters.
type FraudOutcome string

// The outcomes [FraudScreener.Record] takes.
const (
	FraudApproved FraudOutcome = "approved" // the issuer approved it
	FraudDeclined FraudOutcome = "declined" // the issuer (or 3-D Secure) declined it
	FraudBlocked  FraudOutcome = "blocked"  // the fraud decision blocked it
)

// FraudAttributes describes a charge to the fraud engine; the payment
// service fills it before the authorization. An empty string, a nil pointer
// or a zero time means the attribute is missing: a rule that names a
// missing attribute never fires.
type FraudAttributes struct {
	AccountID string
	Livemode  bool
	ChargeID  string
	// Amount is in the currency's minor unit.
	Amount   int64
	Currency string
	// Brand is the card brand, such as "Visa".
	Brand string
	// BIN is the card number's first 6 digits (never more).
	BIN string
	// CardCountry is the issuing country, ISO 3166-1 alpha-2, from the
	// card number's BIN.
	CardCountry string
	// Funding is credit, debit or prepaid.
	Funding     string
	Fingerprint string
	CustomerID  string
	Email       string
	// IP is the charge's ip parameter, else the address that created the
	// token. The engine fills the IP country from its range table.
	IP string
	// BillingCountry is the charge's metadata billing_country, else the
	// country of the card's billing address; ShippingCountry is the
	// charge's metadata shipping_country (ISO 3166-1 alpha-2).
	BillingCountry  string
	ShippingCountry string
	// CardNewToMerchant reports whether the account had never screened a
	// charge of this card before; nil when unknown.
	CardNewToMerchant *bool
	// CustomerCreatedAt is when the customer was created (zero: unknown or
	// no customer); the account age is measured from it.
	CustomerCreatedAt time.Time
}

// FraudScreener is what the payment service calls on every charge.
type FraudScreener interface {
	// Screen decides what to do with a charge before its authorization,
	// from the rules, the lists, the counters (read, not changed) and the
	// risk score. It does not record the attempt: call Record once the
	// outcome is known.
	Screen(ctx context.Context, a *FraudAttributes) (*FraudDecision, error)
	// Record feeds the velocity counters with a screened charge's outcome
	// and counts the decision's rules (fired, blocked, reviewed).
	Record(ctx context.Context, a *FraudAttributes, d *FraudDecision, outcome FraudOutcome) error
	// AllowToken is the card-testing defence of token creation: it slows
	// down, then refuses with ERateLimited (HTTP 429), token creation from
	// an IP address or for an account key that has had too many declines.
	AllowToken(ctx context.Context, ip string, auth *Auth) error
}

// FraudService manages an account's rules and lists (the secret-key API).
type FraudService interface {
	// CreateRule compiles and saves a rule; a rule that does not compile
	// fails with EBadRequest naming the line and column.
	CreateRule(ctx context.Context, auth *Auth, in *FraudRuleInput) (*FraudRule, error)
	// UpdateRule changes a rule; built-in rules accept only enabled,
	// shadow and description. ENotFound for an unknown rule.
	UpdateRule(ctx context.Context, auth *Auth, id string, in *FraudRuleInput) (*FraudRule, error)
	// ListRules returns the account's rules, built-in rules first.
	ListRules(ctx context.Context, auth *Auth) ([]*FraudRule, error)
	// FindRule returns a rule or ENotFound.
	FindRule(ctx context.Context, auth *Auth, id string) (*FraudRule, error)
	// DeleteRule deletes a custom rule; built-in rules can only be
	// disabled (EBadRequest).
	DeleteRule(ctx context.Context, auth *Auth, id string) error
	// AddListItem adds an entry to a list; EBadRequest for a bad type or
	// value, EConflict when it is already there.
	AddListItem(ctx context.Context, auth *Auth, in *FraudListItem) (*FraudListItem, error)
	// ListItems returns a page of list entries (list "" for both lists).
	ListItems(ctx context.Context, auth *Auth, list string, p ListParams) (*List[*FraudListItem], error)
	// FindListItem returns an entry or ENotFound.
	FindListItem(ctx context.Context, auth *Auth, id string) (*FraudListItem, error)
	// SetListItemEnabled enables or disables an entry; ENotFound.
	SetListItemEnabled(ctx context.Context, auth *Auth, id string, enabled bool) (*FraudListItem, error)
	// DeleteListItem removes an entry; ENotFound.
	DeleteListItem(ctx context.Context, auth *Auth, id string) error
	// FindDecision returns the stored decision of a charge; ENotFound.
	FindDecision(ctx context.Context, auth *Auth, chargeID string) (*FraudDecision, error)
}

// FraudRuleInput holds a rule's settable fields; nil means unchanged (or
// the default when creating: enabled, not shadow).
type FraudRuleInput struct {
	Rule        *string
	Description *string
	Enabled     *bool
	Shadow      *bool
}

// Prefixes of fraud objects' ids.
const (
	PrefixFraudRule = "frul"
	PrefixFraudItem = "flst"
)

// FraudRuleStats are a rule's counters of one account and mode.
type FraudRuleStats struct {
	AccountID string
	Livemode  bool
	RuleID    string
	Fired     int64
	Blocked   int64
	Reviewed  int64
}
