package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
)

func TestWebhookSecretSealedAtRest(t *testing.T) {
	dbtest.Run(t, testWebhookSecretSealedAtRest)
}

// storedSecrets returns the account's webhook_secrets.secret values.
func storedSecrets(t *testing.T, p *platform) []string {
	t.Helper()
	rows, err := p.DB.QueryContext(context.Background(), `SELECT secret FROM webhook_secrets WHERE account_id = $1`, p.creds.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// assertSealed fails when a stored secret, or any of the given secrets (as
// base64 or raw bytes), is in clear in the rows or, for SQLite, in the
// database files' bytes.
func assertSealed(t *testing.T, p *platform, dsn string, secrets ...string) {
	t.Helper()
	stored := storedSecrets(t, p)
	if len(stored) == 0 {
		t.Fatal("no webhook secrets stored")
	}
	for _, st := range stored {
		if !strings.HasPrefix(st, "tink:") {
			t.Errorf("stored secret %q is not sealed", st)
		}
		for _, sec := range secrets {
			if strings.Contains(st, sec) {
				t.Errorf("stored row holds the secret in clear")
			}
		}
	}
	path, ok := strings.CutPrefix(dsn, "sqlite:")
	if !ok {
		return
	}
	// Checkpoint so the main file holds everything, then read every file
	// of the database (main, WAL, journal) as bytes.
	var busy, logged, done int
	p.DB.QueryRowContext(context.Background(), `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logged, &done)
	files, _ := filepath.Glob(path + "*")
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, sec := range secrets {
			rawSec, _ := base64.StdEncoding.DecodeString(sec)
			if bytes.Contains(raw, []byte(sec)) || (len(rawSec) > 0 && bytes.Contains(raw, rawSec)) {
				t.Errorf("%s holds a webhook secret in clear", filepath.Base(f))
			}
		}
	}
}

func testWebhookSecretSealedAtRest(t *testing.T, dsn string) {
	p := startPlatform(t, dsn)
	ctx := context.Background()
	skey := p.creds.SecretKey
	first := p.creds.WebhookSecret
	if first == "" {
		t.Fatal("no dev webhook secret")
	}
	assertSealed(t, p, dsn, first)

	// Deliveries are signed with the secret the API shows.
	hooks := newHookReceiver(t, first)
	if res := p.do("PATCH", "/account", skey, url.Values{"webhook_uri": {hooks.URL}}); res.Status != 200 {
		t.Fatalf("PATCH /account: %d %s", res.Status, res.Body)
	}
	whCharge(p, 1000)
	hooks.next(t, "charge.create")

	// Rotate the vault's card-data key: the secret sealed under the old
	// key still opens and signs.
	oldKey := p.Vault.PrimaryKeyID()
	if err := p.Vault.Rotate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if p.Vault.PrimaryKeyID() == oldKey {
		t.Fatal("rotation kept the primary key")
	}
	whCharge(p, 1100)
	hooks.next(t, "charge.create")

	// Rolling seals the new secret (under the new key); both sign for a
	// while, and the receiver that knows only the new one verifies.
	rolled := p.do("POST", "/account/webhook_secret/roll", skey, nil)
	if rolled.Status != 200 {
		t.Skipf("no roll route here: %d %s", rolled.Status, rolled.Body)
	}
	sec := p.do("GET", "/account/webhook_secret", skey, nil)
	second, _ := sec.Object["secret"].(string)
	if second == "" || second == first {
		t.Fatalf("secret after roll: %s", sec.Body)
	}
	assertSealed(t, p, dsn, first, second)
	hooks2 := newHookReceiver(t, second)
	if res := p.do("PATCH", "/account", skey, url.Values{"webhook_uri": {hooks2.URL}}); res.Status != 200 {
		t.Fatalf("PATCH /account: %d %s", res.Status, res.Body)
	}
	whCharge(p, 1200)
	hooks2.next(t, "charge.create")

	// A row stored in clear (a data dir from before sealing) still signs
	// and is sealed the first time it is read.
	err := p.DB.Write(ctx, func(tx *sqlstore.Tx) error {
		_, err := tx.Exec(`INSERT INTO webhook_secrets (account_id, livemode, secret, created_at) VALUES ($1, $2, $3, $4)`,
			p.creds.AccountID, true, first, time.Now().UnixMicro())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Accounts.WebhookSecrets(ctx, p.creds.AccountID, true, "")
	if err != nil || len(got) != 1 || got[0] != first {
		t.Fatalf("legacy clear secret read back as %v, %v", got, err)
	}
	assertSealed(t, p, dsn, first, second)
	if got, err = p.Accounts.WebhookSecrets(ctx, p.creds.AccountID, true, ""); err != nil || len(got) != 1 || got[0] != first {
		t.Fatalf("resealed secret read back as %v, %v", got, err)
	}
}
