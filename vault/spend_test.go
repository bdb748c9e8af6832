package vault_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
	"github.com/kessai/kessai/vault"
)

// spendToken runs SpendToken in its own write transaction.
func spendToken(db *sqlstore.DB, v *vault.Vault, auth *kessai.Auth, id string) (*kessai.Token, *vault.CardData, error) {
	var tok *kessai.Token
	var d *vault.CardData
	err := db.Write(context.Background(), func(tx *sqlstore.Tx) error {
		var err error
		tok, d, err = v.SpendToken(tx, auth, id)
		return err
	})
	return tok, d, err
}

func TestSpendToken(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		clk := useClock(db)
		v := openVault(t, db, vault.Config{})
		auth := newAccount(t, db)
		other := newAccount(t, db)
		tok := mustCreate(t, v, auth, rawCard(amex, amexCode))

		if _, _, err := spendToken(db, v, other, tok.ID); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("other account: %v", err)
		}
		if _, _, err := spendToken(db, v, auth, "tokn_test_0000000000000000000"); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("missing token: %v", err)
		}
		// Peeking reads without using.
		if _, _, err := v.PeekToken(ctx, other, tok.ID); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("peek from another account: %v", err)
		}
		if p, bin, err := v.PeekToken(ctx, auth, tok.ID); err != nil || p.Used || bin != amex[:6] || p.Card.ID != tok.Card.ID {
			t.Errorf("peek = %+v, %q, %v", p, bin, err)
		}
		// A rolled-back spend leaves the token unused with its code.
		err := db.Write(ctx, func(tx *sqlstore.Tx) error {
			if _, _, err := v.SpendToken(tx, auth, tok.ID); err != nil {
				return err
			}
			return fmt.Errorf("charge failed")
		})
		if err == nil {
			t.Fatal("write succeeded")
		}
		used, d, err := spendToken(db, v, auth, tok.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !used.Used || used.Card.ID != tok.Card.ID || d.CardID != tok.Card.ID {
			t.Errorf("spent token = %+v", used)
		}
		if d.Number.Reveal() != amex || d.SecurityCode.Reveal() != amexCode || d.Name != "Somchai Prasert" || d.ExpirationMonth != 12 {
			t.Errorf("card data = %v", d)
		}
		if n := count(t, db, `SELECT count(*) FROM tokens WHERE id = $1 AND used AND security_code_ciphertext IS NULL AND key_id IS NULL`, tok.ID); n != 1 {
			t.Error("token not used, or its code still stored, after the spend")
		}
		if _, _, err := spendToken(db, v, auth, tok.ID); kessai.ErrorCode(err) != kessai.EUsedToken {
			t.Errorf("second spend: %v", err)
		}
		// A token spent by many at once goes to one of them only, with its
		// code.
		tok2 := mustCreate(t, v, auth, rawCard(visa, "456"))
		var wg sync.WaitGroup
		var mu sync.Mutex
		won, codes := 0, 0
		for range 8 {
			wg.Go(func() {
				_, d, err := spendToken(db, v, auth, tok2.ID)
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					won++
					if !d.SecurityCode.IsZero() {
						codes++
					}
				} else if kessai.ErrorCode(err) != kessai.EUsedToken {
					t.Errorf("concurrent spend: %v", err)
				}
			})
		}
		wg.Wait()
		if won != 1 || codes != 1 {
			t.Errorf("concurrent spends: %d won, %d saw the code", won, codes)
		}
		// An expired token is invalid_card_token, and its code is not
		// revealed.
		tok3 := mustCreate(t, v, auth, rawCard(visa, "789"))
		clk.Advance(vault.DefaultTokenLifetime)
		if _, _, err := spendToken(db, v, auth, tok3.ID); kessai.ErrorCode(err) != kessai.EInvalidCardToken {
			t.Errorf("expired token: %v", err)
		}
		if _, _, err := spendToken(db, v, auth, tok.ID); kessai.ErrorCode(err) != kessai.EUsedToken {
			t.Errorf("used expired token: %v", err)
		}
	})
}
