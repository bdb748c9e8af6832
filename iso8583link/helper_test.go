package iso8583link_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/card"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/iso8583link"
	"github.com/kessai/kessai/issuersim"
	"github.com/kessai/kessai/sqlstore"
)

// deadline bounds every wait; it is never an assertion.
const deadline = 30 * time.Second

// logBuffer collects log output from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// env is an issuer host and a link to it, each on its own database, with
// their logs in one buffer.
type env struct {
	t      testing.TB
	db     *sqlstore.DB        // the gateway's, when the link records there
	store  kessai.NetworkStore // what the link records in
	issuer *issuersim.Server
	link   *iso8583link.Link
	logs   *logBuffer
	log    *slog.Logger
	cards  []string // every card number used, for the log check
	idsn   string   // the issuer's database
}

// issuerDSN returns the issuer host's database.
func (e *env) issuerDSN(testing.TB) string { return e.idsn }

// fastRetries makes reversals and reconnects quick for tests.
func fastRetries(c *iso8583link.Config) {
	c.RetryMin, c.RetryMax = 10*time.Millisecond, 100*time.Millisecond
	c.ReconnectMin, c.ReconnectMax = 10*time.Millisecond, 100*time.Millisecond
	c.PollInterval = 20 * time.Millisecond
}

// newEnv starts an issuer host and a link on fresh databases of the
// dialect of gatewayDSN, logging everything, and checks at the end that no
// card number was logged.
func newEnv(t testing.TB, gatewayDSN string, tweak func(*iso8583link.Config)) *env {
	t.Helper()
	logs := &logBuffer{}
	var e *env
	// Registered first, so run last: after the host and links are closed.
	t.Cleanup(func() {
		if e != nil {
			e.checkLogs()
		}
	})
	e = newEnvWith(t, gatewayDSN, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), tweak)
	e.logs = logs
	return e
}

// newEnvWith is newEnv with the given logger and no log check.
func newEnvWith(t testing.TB, gatewayDSN string, log *slog.Logger, tweak func(*iso8583link.Config)) *env {
	t.Helper()
	issuerDSN := dbtest.SQLiteDSN(t)
	if strings.HasPrefix(gatewayDSN, "postgres") {
		issuerDSN = dbtest.PostgresDSN(t)
	}
	db := dbtest.Open(t, gatewayDSN)
	e := build(t, db, issuerDSN, log, tweak)
	e.db = db
	return e
}

// build starts an issuer host on issuerDSN and a link recording in store.
func build(t testing.TB, store kessai.NetworkStore, issuerDSN string, log *slog.Logger, tweak func(*iso8583link.Config)) *env {
	t.Helper()
	e := &env{t: t, logs: &logBuffer{}, log: log, store: store}
	is, err := issuersim.New(issuersim.Config{DSN: issuerDSN, Logger: e.log.With("side", "issuer")})
	if err != nil {
		t.Fatal(err)
	}
	if err := is.Start(context.Background(), "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	e.issuer, e.idsn = is, issuerDSN
	t.Cleanup(func() { is.Close() })
	e.link = e.startLink(tweak)
	return e
}

// startLink opens a link on the env's database; it is closed when the
// test ends.
func (e *env) startLink(tweak func(*iso8583link.Config)) *iso8583link.Link {
	e.t.Helper()
	cfg := iso8583link.Config{Addr: e.issuer.Addr(), Timeout: 10 * time.Second, Logger: e.log.With("side", "link")}
	fastRetries(&cfg)
	if tweak != nil {
		tweak(&cfg)
	}
	l, err := iso8583link.New(e.store, cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { l.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	if err := l.WaitOnline(ctx); err != nil {
		e.t.Fatal(err)
	}
	return l
}

// checkLogs fails the test if a card number used appears in the logs.
func (e *env) checkLogs() {
	logs := e.logs.String()
	if logs == "" {
		e.t.Error("nothing was logged: the check would prove nothing")
	}
	for _, pan := range e.cards {
		if strings.Contains(logs, pan) || strings.Contains(logs, pan[:10]) {
			e.t.Errorf("the log shows card number ****%s", pan[len(pan)-4:])
		}
	}
}

var refs atomic.Int64

// request returns an authorization of amount THB minor units on pan.
func (e *env) request(pan string, amount int64) *kessai.AuthRequest {
	e.cards = append(e.cards, pan)
	n := card.MustParseNumber(pan)
	code := "123"
	if n.Brand() == card.Amex {
		code = "1234"
	}
	return &kessai.AuthRequest{
		Reference:       fmt.Sprintf("chrg_test_%019d", refs.Add(1)),
		MerchantID:      "acct_test_5merchant0000000001",
		Card:            n,
		ExpirationMonth: 12,
		ExpirationYear:  time.Now().Year() + 3,
		SecurityCode:    card.NewSecurityCode(code),
		Amount:          amount,
		Currency:        "THB",
	}
}

func (e *env) authorize(req *kessai.AuthRequest) *kessai.AuthResult {
	e.t.Helper()
	res, err := e.link.Authorize(context.Background(), req)
	if err != nil {
		e.t.Fatalf("authorize: %v", err)
	}
	return res
}

// netHold returns what the issuer's ledger still holds for a reference.
func (e *env) netHold(ref string) int64 {
	e.t.Helper()
	entries, err := e.issuer.Ledger(context.Background(), issuersim.LedgerQuery{Reference: ref})
	if err != nil {
		e.t.Fatal(err)
	}
	var held int64
	for _, en := range entries {
		switch en.Kind {
		case issuersim.LedgerHold:
			held += en.Amount
		case issuersim.LedgerRelease, issuersim.LedgerCapture:
			held -= en.Amount
		}
	}
	return held
}

func (e *env) ledgerKinds(ref string) []string {
	e.t.Helper()
	entries, err := e.issuer.Ledger(context.Background(), issuersim.LedgerQuery{Reference: ref})
	if err != nil {
		e.t.Fatal(err)
	}
	var kinds []string
	for _, en := range entries {
		kinds = append(kinds, fmt.Sprintf("%s %d", en.Kind, en.Amount))
	}
	return kinds
}

// reversalOf returns the reversal of a reference's first request, or nil.
func (e *env) reversalOf(ref string) *kessai.NetworkReversal {
	e.t.Helper()
	revs, err := e.db.ListReversals(context.Background(), "")
	if err != nil {
		e.t.Fatal(err)
	}
	for _, r := range revs {
		if r.Message.Reference == ref {
			return r
		}
	}
	return nil
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("%s: not reached before the deadline", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
