package issuersim

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/card"
	"github.com/kessai/kessai/iso8583msg"
	"github.com/kessai/kessai/sqlstore"
)

// Status is the state of a cardholder account.
type Status string

// Account statuses and the response code each gets.
const (
	Active Status = "active"
	Lost   Status = "lost"   // 41
	Stolen Status = "stolen" // 43
	Frozen Status = "frozen" // 62 restricted card
	Closed Status = "closed" // 14 invalid card number
)

// Security code policies of an account.
const (
	cvvAny   = "any"  // any code matches: the issuer does not know it
	cvvHash  = "hash" // the code must match cvv_hash
	cvvNever = "fail" // no code matches
)

// AccountSpec describes a cardholder account for [Server.SetAccount].
type AccountSpec struct {
	Card card.Number
	// CreditLimit is the credit line per currency, in minor units.
	CreditLimit int64
	// Status is Active when empty.
	Status Status
	// SecurityCode, when set, is the only code that matches; otherwise
	// any code does. Only its HMAC is stored.
	SecurityCode card.SecurityCode
	// ExpirationMonth and ExpirationYear, when set, are the only expiry
	// accepted; otherwise any future expiry is.
	ExpirationMonth, ExpirationYear int
	// ForcedCode, when set, answers every authorization of the card.
	ForcedCode string
}

// Account is what the issuer shows of a cardholder account.
type Account struct {
	Last4       string
	Brand       string
	Status      Status
	CreditLimit int64
	Balances    []Balance
}

// Balance is an account's credit line in one currency.
type Balance struct {
	Currency  string // lowercase ISO 4217 alphabetic when known, else numeric
	Held      int64  // authorized, not yet posted
	Posted    int64  // debits minus credits
	Available int64  // CreditLimit - Held - Posted
}

// ErrNoAccount is returned by [Server.Account] for a card the issuer has
// no account for.
var ErrNoAccount = errors.New("issuersim: no such account")

// account is a row of issuer_accounts, with its balance in one currency.
type account struct {
	id, last4, brand string
	limit            int64
	held, posted     int64
	status           Status
	forcedCode       string
	cvvPolicy        string
	cvvHash          string
	expiry           string // YYMM or ""
}

// hash returns the hex HMAC-SHA256 of s under the issuer's key: the
// stand-in for a card number or a security code.
func (s *Server) hash(parts ...string) string {
	m := hmac.New(sha256.New, s.hashKey)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Server) accountID(pan string) string { return s.hash("pan", pan) }

func (s *Server) cvvHash(pan, cvv string) string { return s.hash("cvv", pan, cvv) }

// loadAccount returns the account with the given id and its balance in
// currency, or nil.
func loadAccount(tx *sqlstore.Tx, id, currency string) (*account, error) {
	var a account
	err := tx.QueryRow(`SELECT a.id, a.last4, a.brand, a.credit_limit, a.status, a.forced_code, a.cvv_policy,
			a.cvv_hash, a.expiry, COALESCE(b.held, 0), COALESCE(b.posted, 0)
		FROM issuer_accounts a LEFT JOIN issuer_balances b ON b.account_id = a.id AND b.currency = $2
		WHERE a.id = $1`, id, currency).
		Scan(&a.id, &a.last4, &a.brand, &a.limit, &a.status, &a.forcedCode, &a.cvvPolicy, &a.cvvHash, &a.expiry, &a.held, &a.posted)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// accountByID returns the account with the given id, or nil.
func accountByID(tx *sqlstore.Tx, id string) (*account, error) { return loadAccount(tx, id, "") }

// accountFor returns the account of pan with its balance in currency,
// creating it on first use: a test card gets its documented behaviour, any
// other number the default limit.
func (s *Server) accountFor(tx *sqlstore.Tx, pan, currency string) (*account, error) {
	a, err := loadAccount(tx, s.accountID(pan), currency)
	if err != nil || a != nil {
		return a, err
	}
	a = &account{
		id:        s.accountID(pan),
		last4:     last4(pan),
		brand:     string(card.BrandOf(pan)),
		limit:     s.cfg.DefaultLimit,
		status:    Active,
		cvvPolicy: cvvAny,
	}
	if tc, ok := testCards[pan]; ok {
		tc.apply(a)
	}
	return a, insertAccount(tx, a)
}

func insertAccount(tx *sqlstore.Tx, a *account) error {
	now := sqlstore.Micros(tx.Now)
	_, err := tx.Exec(`INSERT INTO issuer_accounts (id, last4, brand, credit_limit, status, forced_code, cvv_policy, cvv_hash, expiry, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
		ON CONFLICT (id) DO UPDATE SET credit_limit = $4, status = $5, forced_code = $6, cvv_policy = $7,
			cvv_hash = $8, expiry = $9, updated_at = $10`,
		a.id, a.last4, a.brand, a.limit, string(a.status), a.forcedCode, a.cvvPolicy, a.cvvHash, a.expiry, now)
	return err
}

// addBalance moves an account's held and posted amounts in a currency.
func addBalance(tx *sqlstore.Tx, accountID, currency string, held, posted int64) error {
	_, err := tx.Exec(`INSERT INTO issuer_balances (account_id, currency, held, posted) VALUES ($1, $2, $3, $4)
		ON CONFLICT (account_id, currency) DO UPDATE SET held = issuer_balances.held + $3, posted = issuer_balances.posted + $4`,
		accountID, currency, held, posted)
	return err
}

// SetAccount creates or replaces the account of spec.Card, keeping its
// balances. Fails with EInvalidCard for a spec without a card, a negative
// limit or an unknown status.
func (s *Server) SetAccount(ctx context.Context, spec AccountSpec) error {
	if spec.Card.IsZero() || spec.CreditLimit < 0 {
		return kessai.Errorf(kessai.EInvalidCard, "an account needs a card and a credit limit of 0 or more")
	}
	if spec.Status == "" {
		spec.Status = Active
	}
	switch spec.Status {
	case Active, Lost, Stolen, Frozen, Closed:
	default:
		return kessai.Errorf(kessai.EInvalidCard, "unknown account status %q", spec.Status)
	}
	pan := spec.Card.Reveal()
	a := &account{
		id: s.accountID(pan), last4: spec.Card.Last4(), brand: string(spec.Card.Brand()),
		limit: spec.CreditLimit, status: spec.Status, forcedCode: spec.ForcedCode, cvvPolicy: cvvAny,
	}
	if !spec.SecurityCode.IsZero() {
		a.cvvPolicy, a.cvvHash = cvvHash, s.cvvHash(pan, spec.SecurityCode.Reveal())
	}
	if spec.ExpirationMonth != 0 {
		a.expiry = iso8583msg.Expiry(spec.ExpirationMonth, spec.ExpirationYear)
	}
	if err := s.write(ctx, func(tx *sqlstore.Tx) error { return insertAccount(tx, a) }); err != nil {
		return fmt.Errorf("issuersim: set account: %w", err)
	}
	return nil
}

// Account returns the account of a card with its balances. Fails with
// [ErrNoAccount] when the issuer has not seen the card.
func (s *Server) Account(ctx context.Context, n card.Number) (*Account, error) {
	id := s.accountID(n.Reveal())
	var a Account
	var limit int64
	var status string
	err := s.db.QueryRowContext(ctx, `SELECT last4, brand, credit_limit, status FROM issuer_accounts WHERE id = $1`, id).
		Scan(&a.Last4, &a.Brand, &limit, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoAccount
	}
	if err != nil {
		return nil, fmt.Errorf("issuersim: account: %w", err)
	}
	a.CreditLimit, a.Status = limit, Status(status)
	rows, err := s.db.QueryContext(ctx, `SELECT currency, held, posted FROM issuer_balances WHERE account_id = $1 ORDER BY currency`, id)
	if err != nil {
		return nil, fmt.Errorf("issuersim: account: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var b Balance
		if err := rows.Scan(&b.Currency, &b.Held, &b.Posted); err != nil {
			return nil, fmt.Errorf("issuersim: account: %w", err)
		}
		b.Available = limit - b.Held - b.Posted
		b.Currency = currencyName(b.Currency)
		a.Balances = append(a.Balances, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("issuersim: account: %w", err)
	}
	return &a, nil
}

// Balance returns the account's balance in a currency (alphabetic, such as
// "jpy"), zero when it has none.
func (a *Account) Balance(currency string) Balance {
	for _, b := range a.Balances {
		if b.Currency == currency {
			return b
		}
	}
	return Balance{Currency: currency, Available: a.CreditLimit}
}

func currencyName(numeric string) string {
	if a, ok := iso8583msg.CurrencyAlpha(numeric); ok {
		return a
	}
	return numeric
}

func last4(pan string) string {
	if len(pan) < 4 {
		return pan
	}
	return pan[len(pan)-4:]
}
