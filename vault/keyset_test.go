package vault_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
	"github.com/kessai/kessai/vault"
	"github.com/kessai/kessai/vault/kek"
)

func TestKeysetsStoredOnce(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "kek")
		k, err := kek.File(path)
		if err != nil {
			t.Fatal(err)
		}
		v := openVault(t, db, vault.Config{KEK: k})
		auth := newAccount(t, db)
		tok := mustCreate(t, v, auth, rawCard(visa, "123"))

		rows, err := db.QueryContext(ctx, `SELECT name, version, kek_id FROM vault_keysets ORDER BY name`)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var name, kekID string
			var version int
			rows.Scan(&name, &version, &kekID)
			if version != 1 || kekID != "file:"+path {
				t.Errorf("keyset %s: version %d, kek %q", name, version, kekID)
			}
			got = append(got, name)
		}
		rows.Close()
		if strings.Join(got, ",") != "card-data,fingerprint" {
			t.Errorf("keysets = %v", got)
		}

		// A restart with the same key, read from the environment this
		// time, finds the same keysets: same fingerprints, same data.
		b, _ := os.ReadFile(path)
		t.Setenv("KESSAI_TEST_VAULT_KEK", strings.TrimSpace(string(b)))
		ek, err := kek.Env("KESSAI_TEST_VAULT_KEK")
		if err != nil {
			t.Fatal(err)
		}
		v2 := openVault(t, db, vault.Config{KEK: ek})
		tok2 := mustCreate(t, v2, auth, rawCard(visa, ""))
		if tok2.Card.Fingerprint != tok.Card.Fingerprint {
			t.Error("fingerprint changed across restarts")
		}
		if d := revealToken(t, db, v2, tok.ID); d.Number.Reveal() != visa || d.SecurityCode.Reveal() != "123" {
			t.Error("restarted vault cannot read earlier data")
		}
		if n := count(t, db, `SELECT count(*) FROM vault_keysets`); n != 2 {
			t.Errorf("%d keysets after restart", n)
		}
	})
}

func TestWrongKEK(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		dir := t.TempDir()
		right, err := kek.File(filepath.Join(dir, "right"))
		if err != nil {
			t.Fatal(err)
		}
		openVault(t, db, vault.Config{KEK: right})

		wrongPath := filepath.Join(dir, "wrong")
		wrong, err := kek.File(wrongPath)
		if err != nil {
			t.Fatal(err)
		}
		_, err = vault.Open(context.Background(), vault.Config{DB: db, KEK: wrong})
		if err == nil {
			t.Fatal("Open succeeded with the wrong KEK")
		}
		msg := err.Error()
		for _, want := range []string{"wrong key-encryption key", wrong.ID(), right.ID()} {
			if !strings.Contains(msg, want) {
				t.Errorf("error %q does not mention %q", msg, want)
			}
		}
		for _, f := range []string{"right", "wrong"} {
			b, _ := os.ReadFile(filepath.Join(dir, f))
			if strings.Contains(msg, strings.TrimSpace(string(b))) {
				t.Errorf("error contains the %s key", f)
			}
		}
		// The failed open changed nothing.
		if n := count(t, db, `SELECT count(*) FROM vault_keysets WHERE kek_id = $1`, right.ID()); n != 2 {
			t.Errorf("keysets under the right KEK: %d", n)
		}
	})
}

func TestOpenConfig(t *testing.T) {
	if _, err := vault.Open(context.Background(), vault.Config{}); err == nil {
		t.Error("Open without DB and KEK succeeded")
	}
}
