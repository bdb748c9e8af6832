package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestIssuerACSKey checks that kessai issuer reads the ACS's CAVV key named
// by --acs-key before it serves, and refuses a key file that cannot be one.
func TestIssuerACSKey(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short.key")
	if err := os.WriteFile(short, []byte("too short"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"issuer", "--listen", "127.0.0.1:0", "--database", "sqlite:" + filepath.Join(dir, "issuer.db"), "--acs-key", short}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "short.key") {
		t.Errorf("issuer with a short key: %v", err)
	}
	// A missing key is made, as kessai acs does, for both to share.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	key := filepath.Join(dir, "acs-cavv.key")
	if err := run(ctx, []string{"issuer", "--listen", "127.0.0.1:0", "--database", "sqlite:" + filepath.Join(dir, "issuer.db"), "--acs-key", key}, &out, &out); err != nil {
		t.Fatalf("issuer: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "issuer host listening") {
		t.Errorf("issuer did not serve: %s", out.String())
	}
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v, %v", fi, err)
	}
}
