package payment_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/card"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/payment"
	"github.com/kessai/kessai/sqlstore"
	"github.com/kessai/kessai/vault"
	"github.com/kessai/kessai/vault/kek"
)

// declines are the test cards of omise-api.md §7 that the fake issuer
// declines, with their failure codes.
var declines = map[string]string{
	"4111111111140011": "insufficient_fund",
	"5555551111110011": "insufficient_fund",
	"4111111111130012": "stolen_or_lost_card",
	"4111111111120013": "failed_processing",
	"4111111111110014": "payment_rejected",
	"4111111111190016": "failed_fraud_check",
	"4111111111180017": "invalid_account_number",
	"4111111111160001": "invalid_security_code",
}

// hold is what the fake issuer knows of an approved authorization.
type hold struct {
	amount   int64
	captured int64
	reversed bool
	refunded int64
}

// fakeLink is a card network that answers at once, by the test cards, and
// records every request. A hook, when set, replaces an answer.
type fakeLink struct {
	mu       sync.Mutex
	holds    map[string]*hold // by charge reference
	calls    []string
	requests []*kessai.AuthRequest

	onAuthorize func(*kessai.AuthRequest) (*kessai.AuthResult, error)
	onCapture   func(*kessai.NetworkCaptureRequest) (*kessai.NetworkResult, error)
	onReverse   func(*kessai.NetworkReverseRequest) (*kessai.NetworkReverseResult, error)
	onRefund    func(*kessai.NetworkRefundRequest) (*kessai.NetworkResult, error)
}

func newFakeLink() *fakeLink { return &fakeLink{holds: map[string]*hold{}} }

func (l *fakeLink) record(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, fmt.Sprintf(format, args...))
}

// Calls returns the requests made so far, as "authorize <ref> <amount>".
func (l *fakeLink) Calls() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.calls...)
}

func (l *fakeLink) lastAuth() *kessai.AuthRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.requests[len(l.requests)-1]
}

func (l *fakeLink) Authorize(ctx context.Context, req *kessai.AuthRequest) (*kessai.AuthResult, error) {
	l.record("authorize %s %d", req.Reference, req.Amount)
	l.mu.Lock()
	l.requests = append(l.requests, req)
	hook := l.onAuthorize
	l.mu.Unlock()
	if hook != nil {
		if res, err := hook(req); res != nil || err != nil {
			return res, err
		}
	}
	res := &kessai.AuthResult{NetworkResult: kessai.NetworkResult{NetworkRef: "nmsg_" + req.Reference, RRN: "000000000001"}}
	if code, ok := declines[req.Card.Reveal()]; ok {
		res.ResponseCode, res.FailureCode, res.FailureMessage = "05", code, kessai.FailureMessage(code)
		if code == "invalid_security_code" {
			res.SecurityCodeResult = "N"
		}
		return res, nil
	}
	res.Approved, res.ResponseCode, res.ApprovalCode = true, "00", "123456"
	if !req.SecurityCode.IsZero() {
		res.SecurityCodeResult = "M"
	}
	l.mu.Lock()
	l.holds[req.Reference] = &hold{amount: req.Amount}
	l.mu.Unlock()
	return res, nil
}

func (l *fakeLink) Capture(ctx context.Context, req *kessai.NetworkCaptureRequest) (*kessai.NetworkResult, error) {
	l.record("capture %s %d", req.Reference, req.Amount)
	if l.onCapture != nil {
		if res, err := l.onCapture(req); res != nil || err != nil {
			return res, err
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.holds[req.Reference]
	if h == nil || h.reversed {
		return nil, kessai.Errorf(kessai.EFailedCapture, "no approved authorization")
	}
	if h.captured == 0 {
		h.captured = req.Amount
	}
	return &kessai.NetworkResult{NetworkRef: "nmsg_c_" + req.Reference, Approved: true, ResponseCode: "00"}, nil
}

func (l *fakeLink) Reverse(ctx context.Context, req *kessai.NetworkReverseRequest) (*kessai.NetworkReverseResult, error) {
	l.record("reverse %s", req.Reference)
	if l.onReverse != nil {
		if res, err := l.onReverse(req); res != nil || err != nil {
			return res, err
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.holds[req.Reference]
	if h == nil {
		return nil, kessai.Errorf(kessai.EFailedReverse, "no approved authorization")
	}
	h.reversed = true
	return &kessai.NetworkReverseResult{Delivered: true, ResponseCode: "00"}, nil
}

func (l *fakeLink) Refund(ctx context.Context, req *kessai.NetworkRefundRequest) (*kessai.NetworkResult, error) {
	l.record("refund %s %d", req.ChargeReference, req.Amount)
	if l.onRefund != nil {
		if res, err := l.onRefund(req); res != nil || err != nil {
			return res, err
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.holds[req.ChargeReference]
	if h == nil || h.captured == 0 {
		return nil, kessai.Errorf(kessai.EFailedRefund, "no captured authorization")
	}
	h.refunded += req.Amount
	return &kessai.NetworkResult{NetworkRef: "nmsg_r_" + req.Reference, Approved: true, ResponseCode: "00"}, nil
}

// clock is db.Now: real time plus an offset that tests move forward.
type clock struct{ off atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *clock) Advance(d time.Duration) { c.off.Add(int64(d)) }

// env is a payment service on a fresh database, with one account of a
// country and its test-mode secret key's Auth.
type env struct {
	db    *sqlstore.DB
	svc   *payment.Service
	vault *vault.Vault
	link  *fakeLink
	clock *clock
	acct  *kessai.Account
	auth  *kessai.Auth
	pub   *kessai.Auth
}

func newEnv(t *testing.T, db *sqlstore.DB, country, currency string) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{db: db, link: newFakeLink(), clock: &clock{}}
	db.Now = e.clock.Now
	accounts := &sqlstore.AccountService{DB: db}
	e.acct = &kessai.Account{Email: "shop@example.com", Country: country, Currency: currency}
	if err := accounts.CreateAccount(ctx, e.acct); err != nil {
		t.Fatal(err)
	}
	k, err := kek.File(filepath.Join(t.TempDir(), "kek"))
	if err != nil {
		t.Fatal(err)
	}
	if e.vault, err = vault.Open(ctx, vault.Config{DB: db, KEK: k, Logger: slog.New(slog.DiscardHandler)}); err != nil {
		t.Fatal(err)
	}
	e.svc = payment.New(payment.Config{DB: db, Vault: e.vault, Link: e.link, Accounts: accounts})
	e.auth = &kessai.Auth{AccountID: e.acct.ID, Kind: kessai.SecretKey}
	e.pub = &kessai.Auth{AccountID: e.acct.ID, Kind: kessai.PublicKey}
	return e
}

// run runs fn on SQLite and PostgreSQL with a Thai account.
func run(t *testing.T, fn func(t *testing.T, e *env)) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) { fn(t, newEnv(t, db, "TH", "thb")) })
}

// token returns a new token of a card number, with security code 123.
func (e *env) token(t *testing.T, number string) string {
	t.Helper()
	tok, err := e.vault.CreateToken(context.Background(), e.pub, &card.RawInput{
		Name: "Somchai Prasert", Number: number, ExpirationMonth: "12", ExpirationYear: "2035", SecurityCode: "123",
	}, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	return tok.ID
}

// charge creates a charge of amount on a new token of number.
func (e *env) charge(t *testing.T, number string, amount int64, capture bool) *kessai.Charge {
	t.Helper()
	ch, err := e.svc.CreateCharge(context.Background(), e.auth, &kessai.ChargeInput{
		Amount: amount, Currency: e.acct.Currency, Card: e.token(t, number), Capture: &capture,
	})
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// eventKeys returns the keys of an object's events, oldest first.
func (e *env) eventKeys(t *testing.T, objectID string) []string {
	t.Helper()
	l, err := e.svc.ListObjectEvents(context.Background(), e.auth, objectID, kessai.ListParams{})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, ev := range l.Data {
		keys = append(keys, ev.Key)
	}
	return keys
}

func ptr[T any](v T) *T { return &v }

func code(err error) string { return kessai.ErrorCode(err) }

// dbtestRun runs fn on SQLite and PostgreSQL with an account of a country.
func dbtestRun(t *testing.T, country, currency string, fn func(t *testing.T, e *env)) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) { fn(t, newEnv(t, db, country, currency)) })
}
