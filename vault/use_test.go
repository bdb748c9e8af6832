package vault_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
	"github.com/kessai/kessai/vault"
)

func TestUseToken(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		clk := useClock(db)
		v := openVault(t, db, vault.Config{})
		auth := newAccount(t, db)
		other := newAccount(t, db)
		tok := mustCreate(t, v, auth, rawCard(visa, "123"))

		if _, err := useToken(db, v, other, tok.ID); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("other account: %v", err)
		}
		if _, err := useToken(db, v, auth, "tokn_test_0000000000000000000"); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("missing token: %v", err)
		}
		used, err := useToken(db, v, auth, tok.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !used.Used || used.Card.ID != tok.Card.ID || used.Card.LastDigits != "4242" {
			t.Errorf("used token = %+v", used)
		}
		_, err = useToken(db, v, auth, tok.ID)
		if kessai.ErrorCode(err) != kessai.EUsedToken || kessai.ErrorMessage(err) != "token was already used" {
			t.Errorf("second use: %v", err)
		}
		if found, _ := v.FindToken(ctx, auth, tok.ID); !found.Used {
			t.Error("FindToken shows the token unused")
		}
		// Using a token keeps its code for the first reveal.
		if d := revealToken(t, db, v, tok.ID); d.SecurityCode.Reveal() != "123" {
			t.Errorf("code after use = %q", d.SecurityCode.Reveal())
		}

		// A failed transaction leaves the token unused.
		tok2 := mustCreate(t, v, auth, rawCard(visa, "123"))
		err = db.Write(ctx, func(tx *sqlstore.Tx) error {
			if _, err := v.UseToken(tx, auth, tok2.ID); err != nil {
				return err
			}
			return fmt.Errorf("charge failed")
		})
		if err == nil {
			t.Fatal("write succeeded")
		}
		if _, err := useToken(db, v, auth, tok2.ID); err != nil {
			t.Errorf("token used by a rolled-back transaction: %v", err)
		}

		// An expired token is invalid_card_token.
		tok3 := mustCreate(t, v, auth, rawCard(visa, "123"))
		clk.Advance(vault.DefaultTokenLifetime)
		_, err = useToken(db, v, auth, tok3.ID)
		if kessai.ErrorCode(err) != kessai.EInvalidCardToken {
			t.Errorf("expired token: %v", err)
		}
		// A used, expired token is used_token.
		if _, err := useToken(db, v, auth, tok.ID); kessai.ErrorCode(err) != kessai.EUsedToken {
			t.Errorf("used expired token: %v", err)
		}

		// The charge status shows on the token.
		err = db.Write(ctx, func(tx *sqlstore.Tx) error { return v.SetTokenChargeStatus(tx, tok.ID, "successful") })
		if err != nil {
			t.Fatal(err)
		}
		if found, _ := v.FindToken(ctx, auth, tok.ID); found.ChargeStatus != "successful" {
			t.Errorf("charge_status = %q", found.ChargeStatus)
		}
		err = db.Write(ctx, func(tx *sqlstore.Tx) error { return v.SetTokenChargeStatus(tx, "tokn_test_none", "failed") })
		if kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("status of missing token: %v", err)
		}
	})
}

func TestRevealToken(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		v := openVault(t, db, vault.Config{})
		auth := newAccount(t, db)
		tok := mustCreate(t, v, auth, rawCard(amex, amexCode))

		d := revealToken(t, db, v, tok.ID)
		if d.Number.Reveal() != amex || d.SecurityCode.Reveal() != amexCode || d.Name != "Somchai Prasert" {
			t.Fatalf("first reveal = %v", d)
		}
		// CardData never prints its secrets.
		for _, s := range []string{fmt.Sprint(d), fmt.Sprintf("%+v", d), fmt.Sprintf("%#v", d), fmt.Sprintf("%v", *d)} {
			if strings.Contains(s, amex) || strings.Contains(s, amexCode) {
				t.Errorf("formatted CardData shows card data: %s", s)
			}
		}
		// The code is destroyed at the first reveal; the number stays.
		d = revealToken(t, db, v, tok.ID)
		if d.Number.Reveal() != amex || !d.SecurityCode.IsZero() {
			t.Errorf("second reveal = %q, code %q", d.Number.Reveal(), d.SecurityCode.Reveal())
		}
		if n := count(t, db, `SELECT count(*) FROM tokens WHERE id = $1 AND security_code_ciphertext IS NULL AND key_id IS NULL`, tok.ID); n != 1 {
			t.Error("security code still stored after the reveal")
		}
		// A reveal rolled back with its transaction keeps the code.
		tok2 := mustCreate(t, v, auth, rawCard(visa, "456"))
		db.Write(ctx, func(tx *sqlstore.Tx) error {
			v.RevealToken(tx, tok2.ID)
			return fmt.Errorf("network request not recorded")
		})
		if d := revealToken(t, db, v, tok2.ID); d.SecurityCode.Reveal() != "456" {
			t.Errorf("code lost with a rolled-back reveal")
		}
		// No code given: none revealed.
		tok3 := mustCreate(t, v, auth, rawCard(jcb, ""))
		if d := revealToken(t, db, v, tok3.ID); !d.SecurityCode.IsZero() || d.Number.Reveal() != jcb {
			t.Errorf("reveal without code = %v", d)
		}
		err := db.Write(ctx, func(tx *sqlstore.Tx) error { _, err := v.RevealToken(tx, "tokn_test_none"); return err })
		if kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("missing token: %v", err)
		}

		// A stored card reveals its number, never a code.
		cd, err := v.RevealCard(ctx, tok.Card.ID)
		if err != nil || cd.Number.Reveal() != amex || !cd.SecurityCode.IsZero() || cd.ExpirationMonth != 12 {
			t.Errorf("RevealCard = %v, %v", cd, err)
		}
		if _, err := v.RevealCard(ctx, "card_test_none"); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("missing card: %v", err)
		}
	})
}

func TestRevealTokenExpired(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		clk := useClock(db)
		v := openVault(t, db, vault.Config{})
		auth := newAccount(t, db)
		tok := mustCreate(t, v, auth, rawCard(visa, "123"))
		clk.Advance(vault.DefaultTokenLifetime + time.Second)
		// Not swept yet, but past its expiry: the code is not revealed,
		// and is destroyed.
		d := revealToken(t, db, v, tok.ID)
		if !d.SecurityCode.IsZero() || d.Number.Reveal() != visa {
			t.Errorf("reveal of expired token = %v", d)
		}
		if n := count(t, db, `SELECT count(*) FROM tokens WHERE security_code_ciphertext IS NOT NULL`); n != 0 {
			t.Errorf("%d codes left", n)
		}
	})
}

func TestAttachCard(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		v := openVault(t, db, vault.Config{})
		auth := newAccount(t, db)
		other := newAccount(t, db)
		tok := mustCreate(t, v, auth, rawCard(visa, ""))
		attach := func(a *kessai.Auth) error {
			return db.Write(ctx, func(tx *sqlstore.Tx) error { return v.AttachCard(tx, a, tok.Card.ID, "cust_test_1") })
		}
		if err := attach(other); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("attach by other account: %v", err)
		}
		if err := attach(auth); err != nil {
			t.Fatal(err)
		}
		if err := attach(auth); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("second attach: %v", err)
		}
		c, err := v.Card(ctx, auth, tok.Card.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Location == nil || *c.Location != "/customers/cust_test_1/cards/"+c.ID || c.CustomerID != "cust_test_1" {
			t.Errorf("attached card location %v customer %q", c.Location, c.CustomerID)
		}
	})
}

func TestSweep(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		clk := useClock(db)
		v := openVault(t, db, vault.Config{})
		auth := newAccount(t, db)
		var old []*kessai.Token
		for range 3 {
			old = append(old, mustCreate(t, v, auth, rawCard(visa, "123")))
		}
		mustCreate(t, v, auth, rawCard(visa, "")) // no code to sweep
		clk.Advance(vault.DefaultTokenLifetime / 2)
		fresh := mustCreate(t, v, auth, rawCard(visa, "321"))

		if n, err := v.Sweep(ctx); err != nil || n != 0 {
			t.Errorf("early sweep = %d, %v", n, err)
		}
		clk.Advance(vault.DefaultTokenLifetime / 2)
		if n, err := v.Sweep(ctx); err != nil || n != 3 {
			t.Errorf("sweep = %d, %v; want 3", n, err)
		}
		if n, err := v.Sweep(ctx); err != nil || n != 0 {
			t.Errorf("second sweep = %d, %v", n, err)
		}
		for _, tok := range old {
			var ct []byte
			var key sql.NullInt64
			if err := db.QueryRowContext(ctx, `SELECT security_code_ciphertext, key_id FROM tokens WHERE id = $1`, tok.ID).Scan(&ct, &key); err != nil {
				t.Fatal(err)
			}
			if ct != nil || key.Valid {
				t.Errorf("token %s still holds its code", tok.ID)
			}
			// The card stays usable for the number.
			if d := revealToken(t, db, v, tok.ID); d.Number.Reveal() != visa || !d.SecurityCode.IsZero() {
				t.Errorf("after sweep: %v", d)
			}
		}
		if d := revealToken(t, db, v, fresh.ID); d.SecurityCode.Reveal() != "321" {
			t.Error("sweep destroyed a live code")
		}
	})
}

func TestSweepBatches(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		clk := useClock(db)
		v := openVault(t, db, vault.Config{})
		auth := newAccount(t, db)
		defer vault.SetSweepBatch(10)()
		const n = 50 // half of them with a code: more than two sweep batches
		createMany(t, v, auth, n, "123")
		clk.Advance(vault.DefaultTokenLifetime)
		if got, err := v.Sweep(context.Background()); err != nil || got != n/2 {
			t.Errorf("sweep = %d, %v; want %d", got, err, n/2)
		}
	})
}

func TestRun(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		clk := useClock(db)
		v := openVault(t, db, vault.Config{SweepInterval: 10 * time.Millisecond, RefreshInterval: 10 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
		auth := newAccount(t, db)
		mustCreate(t, v, auth, rawCard(visa, "123"))
		clk.Advance(vault.DefaultTokenLifetime)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- v.Run(ctx) }()
		deadline := time.Now().Add(5 * time.Second)
		for count(t, db, `SELECT count(*) FROM tokens WHERE security_code_ciphertext IS NOT NULL`) != 0 {
			if time.Now().After(deadline) {
				t.Fatal("Run did not sweep")
			}
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
		if err := <-done; err != context.Canceled {
			t.Errorf("Run = %v", err)
		}
	})
}
