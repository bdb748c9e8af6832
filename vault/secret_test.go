package vault_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/vault"
)

// TestSealSecret: a sealed secret is not its plaintext, opens only with its
// associated data, and still opens after a rotation.
func TestSealSecret(t *testing.T) {
	ctx := context.Background()
	v := openVault(t, dbtest.Open(t, dbtest.SQLiteDSN(t)), vault.Config{RefreshInterval: 10 * time.Millisecond})
	secret := []byte("webhook signing secret")
	ad := []byte("acct_1\x00test\x00webhook")
	ct, err := v.SealSecret(ctx, secret, ad)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ct, secret) {
		t.Fatal("ciphertext holds the plaintext")
	}
	if _, err := v.OpenSecret(ctx, ct, []byte("acct_2\x00test\x00webhook")); err == nil {
		t.Fatal("opened with another account's associated data")
	}
	if err := v.Rotate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	pt, err := v.OpenSecret(ctx, ct, ad)
	if err != nil || !bytes.Equal(pt, secret) {
		t.Fatalf("after rotation: %q, %v", pt, err)
	}
}
