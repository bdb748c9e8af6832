package sqlstore_test

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
	"github.com/kessai/kessai/vault"
	"github.com/kessai/kessai/vault/kek"
)

// TestResealWebhookSecrets: after a vault rotation, resealing puts every
// signing secret under the new primary key with its value unchanged, and
// deletes the secrets that stopped signing.
func TestResealWebhookSecrets(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		k, err := kek.File(filepath.Join(t.TempDir(), "kek.key"))
		if err != nil {
			t.Fatal(err)
		}
		v, err := vault.Open(ctx, vault.Config{DB: db, KEK: k, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		s := &sqlstore.AccountService{DB: db, Sealer: v}
		acct := &kessai.Account{Email: "shop@example.com", Country: "jp", Currency: "JPY"}
		if err := s.CreateAccount(ctx, acct); err != nil {
			t.Fatal(err)
		}
		// Three secrets: one that stopped signing (rolled twice), the one
		// in its grace period, and the current one.
		for range 2 {
			if _, err := s.RollWebhookSecret(ctx, acct.ID, false, 0); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.RollWebhookSecret(ctx, acct.ID, false, time.Hour); err != nil {
			t.Fatal(err)
		}
		before, err := s.WebhookSecrets(ctx, acct.ID, false, "")
		if err != nil || len(before) != 2 {
			t.Fatalf("secrets before: %d, %v", len(before), err)
		}
		old := v.PrimaryKeyID()
		if err := v.Rotate(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if v.PrimaryKeyID() == old {
			t.Fatal("rotation kept the primary key")
		}
		n, err := s.ResealWebhookSecrets(ctx)
		if err != nil || n != 2 {
			t.Fatalf("ResealWebhookSecrets = %d, %v; want 2 resealed", n, err)
		}
		after, err := s.WebhookSecrets(ctx, acct.ID, false, "")
		if err != nil || len(after) != 2 || after[0] != before[0] || after[1] != before[1] {
			t.Fatalf("secrets changed by resealing: %d, %v", len(after), err)
		}
		rows, err := db.QueryContext(ctx, `SELECT secret FROM webhook_secrets WHERE account_id = $1`, acct.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var stored int
		for rows.Next() {
			var sec string
			if err := rows.Scan(&sec); err != nil {
				t.Fatal(err)
			}
			stored++
			ct, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(sec, "tink:"))
			// A tink ciphertext starts with 0x01 and the key's id.
			if err != nil || len(ct) < 5 || ct[0] != 1 || binary.BigEndian.Uint32(ct[1:5]) != v.PrimaryKeyID() {
				t.Errorf("a secret is not sealed under the new primary key %d", v.PrimaryKeyID())
			}
		}
		if stored != 2 {
			t.Errorf("%d secrets stored after resealing, want 2 (the expired one deleted)", stored)
		}
	})
}
