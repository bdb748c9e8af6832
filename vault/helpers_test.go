package vault_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/card"
	"github.com/kessai/kessai/sqlstore"
	"github.com/kessai/kessai/vault"
	"github.com/kessai/kessai/vault/kek"
)

// clock is a fake clock for db.Now: real time plus an offset that tests
// move forward.
type clock struct{ off atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *clock) Advance(d time.Duration) { c.off.Add(int64(d)) }

// useClock makes db read time from a fake clock. It must run before the
// first write.
func useClock(db *sqlstore.DB) *clock {
	c := &clock{}
	db.Now = c.Now
	return c
}

// syncBuffer is a bytes.Buffer safe for concurrent log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}

// newTextLogger returns a logger writing every level as text to w.
func newTextLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// testKEK returns a KEK in a fresh key file.
func testKEK(t testing.TB) kek.KEK {
	t.Helper()
	k, err := kek.File(filepath.Join(t.TempDir(), "kek"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// openVault opens a Vault on db; cfg's DB and KEK are filled in when unset.
func openVault(t testing.TB, db *sqlstore.DB, cfg vault.Config) *vault.Vault {
	t.Helper()
	cfg.DB = db
	if cfg.KEK == nil {
		cfg.KEK = testKEK(t)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	v, err := vault.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

var accountSeq atomic.Int64

// newAccount stores an account and returns a test-mode public-key Auth for it.
func newAccount(t testing.TB, db *sqlstore.DB) *kessai.Auth {
	t.Helper()
	id := "acct_test_" + strconv.FormatInt(accountSeq.Add(1), 10) + kessai.RandomString(8)
	err := db.Write(context.Background(), func(tx *sqlstore.Tx) error {
		_, err := tx.Exec(`INSERT INTO accounts (id, email, country, currency, created_at) VALUES ($1, $2, 'TH', 'thb', $3)`,
			id, id+"@example.com", sqlstore.Micros(tx.Now))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return &kessai.Auth{AccountID: id, Livemode: false, Kind: kessai.PublicKey}
}

// Test cards.
const (
	visa     = "4242424242424242"
	amex     = "378282246310005"
	jcb      = "3530111333300000"
	amexCode = "7391" // four digits: long enough to scan raw bytes for
)

// rawCard returns valid card input for number and security code (may be "").
func rawCard(number, code string) *card.RawInput {
	return &card.RawInput{
		Name:            "Somchai Prasert",
		Number:          number,
		SecurityCode:    code,
		ExpirationMonth: "12",
		ExpirationYear:  strconv.Itoa(time.Now().Year() + 3),
		City:            "Bangkok",
		PostalCode:      "10320",
	}
}

// mustCreate creates a token or fails the test.
func mustCreate(t testing.TB, v *vault.Vault, auth *kessai.Auth, raw *card.RawInput) *kessai.Token {
	t.Helper()
	tok, err := v.CreateToken(context.Background(), auth, raw, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// revealToken runs RevealToken in its own write transaction.
func revealToken(t testing.TB, db *sqlstore.DB, v *vault.Vault, id string) *vault.CardData {
	t.Helper()
	var d *vault.CardData
	err := db.Write(context.Background(), func(tx *sqlstore.Tx) error {
		var err error
		d, err = v.RevealToken(tx, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// useToken runs UseToken in its own write transaction.
func useToken(db *sqlstore.DB, v *vault.Vault, auth *kessai.Auth, id string) (*kessai.Token, error) {
	var tok *kessai.Token
	err := db.Write(context.Background(), func(tx *sqlstore.Tx) error {
		var err error
		tok, err = v.UseToken(tx, auth, id)
		return err
	})
	return tok, err
}

// count returns the rows of a query like "SELECT count(*) FROM …".
func count(t testing.TB, db *sqlstore.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
