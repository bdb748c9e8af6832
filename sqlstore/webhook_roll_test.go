package sqlstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
)

// TestWebhookSecretConcurrentRolls rolls one account's secret from several
// goroutines at once: every roll succeeds, and afterwards exactly one secret
// has no expiry and at most two sign.
func TestWebhookSecretConcurrentRolls(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := &sqlstore.AccountService{DB: db}
		acct := &kessai.Account{Email: "shop@example.com", Country: "jp", Currency: "JPY"}
		if err := s.CreateAccount(ctx, acct); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 25 {
					if _, err := s.RollWebhookSecret(ctx, acct.ID, false, 24*time.Hour); err != nil {
						t.Errorf("roll: %v", err)
						return
					}
				}
			})
		}
		wg.Wait()
		secs, err := s.WebhookSecrets(ctx, acct.ID, false, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(secs) > 2 || len(secs) == 0 {
			t.Errorf("%d secrets sign after concurrent rolls, want 1 or 2", len(secs))
		}
		var current int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_secrets WHERE account_id = $1 AND expires_at IS NULL`, acct.ID).Scan(&current); err != nil {
			t.Fatal(err)
		}
		if current != 1 {
			t.Errorf("%d current secrets (no expiry), want 1", current)
		}
	})
}
