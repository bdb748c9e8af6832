package kek_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kessai/kessai/vault/kek"
	"github.com/tink-crypto/tink-go/v2/core/registry"
	"github.com/tink-crypto/tink-go/v2/testing/fakekms"
)

// roundTrip checks that k encrypts and decrypts, binding associated data.
func roundTrip(t *testing.T, k kek.KEK) {
	t.Helper()
	ct, err := k.Encrypt([]byte("keyset"), []byte("ad"))
	if err != nil {
		t.Fatal(err)
	}
	pt, err := k.Decrypt(ct, []byte("ad"))
	if err != nil || string(pt) != "keyset" {
		t.Fatalf("Decrypt = %q, %v", pt, err)
	}
	if _, err := k.Decrypt(ct, []byte("other")); err == nil {
		t.Fatal("Decrypt with other associated data succeeded")
	}
}

func TestFileCreatesKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "kek")
	k, err := kek.File(path)
	if err != nil {
		t.Fatal(err)
	}
	if k.ID() != "file:"+path {
		t.Errorf("ID = %q", k.ID())
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %04o, want 0600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(raw) != 32 {
		t.Fatalf("key file holds %d bytes, %v", len(raw), err)
	}
	roundTrip(t, k)

	// A second open reads the same key.
	ct, _ := k.Encrypt([]byte("x"), nil)
	k2, err := kek.File(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k2.Decrypt(ct, nil); err != nil {
		t.Errorf("reopened key cannot decrypt: %v", err)
	}
	// Formatting shows the ID, never the key.
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%#v", k), fmt.Sprintf("%x", k), fmt.Sprintf("%+v", k)} {
		if strings.Contains(s, strings.TrimSpace(string(b))) || !strings.Contains(s, path) {
			t.Errorf("formatted KEK = %q", s)
		}
	}
}

func TestFileConcurrentCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kek")
	keks := make([]kek.KEK, 8)
	var wg sync.WaitGroup
	for i := range keks {
		wg.Go(func() {
			k, err := kek.File(path)
			if err != nil {
				t.Error(err)
			}
			keks[i] = k
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	ct, _ := keks[0].Encrypt([]byte("x"), nil)
	for i, k := range keks {
		if _, err := k.Decrypt(ct, nil); err != nil {
			t.Errorf("opener %d got a different key", i)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the key file", len(entries))
	}
}

func TestFilePermissions(t *testing.T) {
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660, 0o666} {
		t.Run(fmt.Sprintf("%04o", mode), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "kek")
			if _, err := kek.File(path); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
			_, err := kek.File(path)
			if err == nil {
				t.Fatal("File accepted a key file readable by others")
			}
			if !strings.Contains(err.Error(), "chmod 600") {
				t.Errorf("error = %q, want a hint to chmod 600", err)
			}
			b, _ := os.ReadFile(path)
			if strings.Contains(err.Error(), strings.TrimSpace(string(b))) {
				t.Error("error contains the key")
			}
		})
	}
	t.Run("0400", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "kek")
		kek.File(path)
		os.Chmod(path, 0o400)
		if _, err := kek.File(path); err != nil {
			t.Errorf("read-only owner file refused: %v", err)
		}
	})
	t.Run("directory", func(t *testing.T) {
		if _, err := kek.File(t.TempDir()); err == nil {
			t.Error("File accepted a directory")
		}
	})
}

func TestFileBadContent(t *testing.T) {
	for name, content := range map[string]string{
		"not base64": "this is not base64!!\n",
		"short key":  base64.StdEncoding.EncodeToString(make([]byte, 16)),
		"long key":   base64.StdEncoding.EncodeToString(make([]byte, 64)),
		"empty":      "",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "kek")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := kek.File(path)
			if err == nil {
				t.Fatal("File accepted bad content")
			}
			if content != "" && strings.Contains(err.Error(), strings.TrimSpace(content)) {
				t.Errorf("error %q contains the file content", err)
			}
		})
	}
}

func TestEnv(t *testing.T) {
	key := make([]byte, 32)
	rand.Read(key)
	b64 := base64.StdEncoding.EncodeToString(key)
	t.Setenv("KESSAI_TEST_KEK", b64)
	k, err := kek.Env("KESSAI_TEST_KEK")
	if err != nil {
		t.Fatal(err)
	}
	if k.ID() != "env:KESSAI_TEST_KEK" {
		t.Errorf("ID = %q", k.ID())
	}
	roundTrip(t, k)
	if s := fmt.Sprintf("%v %+v %#v", k, k, k); strings.Contains(s, b64) {
		t.Errorf("formatted KEK shows the key: %s", s)
	}

	// The same key from a file decrypts what the variable encrypted.
	path := filepath.Join(t.TempDir(), "kek")
	os.WriteFile(path, []byte(b64), 0o600)
	kf, err := kek.File(path)
	if err != nil {
		t.Fatal(err)
	}
	ct, _ := k.Encrypt([]byte("x"), nil)
	if _, err := kf.Decrypt(ct, nil); err != nil {
		t.Errorf("file KEK cannot decrypt env KEK ciphertext: %v", err)
	}

	t.Setenv("KESSAI_TEST_KEK_BAD", "!!"+b64[2:])
	if _, err := kek.Env("KESSAI_TEST_KEK_BAD"); err == nil || strings.Contains(err.Error(), b64[2:]) {
		t.Errorf("bad base64: err = %v", err)
	}
	t.Setenv("KESSAI_TEST_KEK_SHORT", base64.StdEncoding.EncodeToString(key[:31]))
	if _, err := kek.Env("KESSAI_TEST_KEK_SHORT"); err == nil {
		t.Error("31-byte key accepted")
	}
	if _, err := kek.Env("KESSAI_TEST_KEK_UNSET_XYZ"); err == nil || !strings.Contains(err.Error(), "not set") {
		t.Errorf("unset variable: err = %v", err)
	}
}

func TestKMS(t *testing.T) {
	uri, err := fakekms.NewKeyURI()
	if err != nil {
		t.Fatal(err)
	}
	c, err := fakekms.NewClient("fake-kms://")
	if err != nil {
		t.Fatal(err)
	}
	k, err := kek.KMS(c, uri)
	if err != nil {
		t.Fatal(err)
	}
	if k.ID() != uri {
		t.Errorf("ID = %q, want the key URI", k.ID())
	}
	roundTrip(t, k)
	if _, err := kek.KMS(c, "aws-kms://arn:aws:kms:eu-west-1:1:key/x"); err == nil {
		t.Error("unsupported URI accepted")
	}

	// Open finds a registered client by the URI.
	registry.RegisterKMSClient(c)
	t.Cleanup(registry.ClearKMSClients)
	k2, err := kek.Open(uri)
	if err != nil {
		t.Fatal(err)
	}
	ct, _ := k.Encrypt([]byte("x"), nil)
	if _, err := k2.Decrypt(ct, nil); err != nil {
		t.Errorf("Open(uri) gave another key: %v", err)
	}
}

func TestOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kek")
	k, err := kek.Open("file:" + path)
	if err != nil || k.ID() != "file:"+path {
		t.Fatalf("Open(file:) = %v, %v", k, err)
	}
	b, _ := os.ReadFile(path)
	t.Setenv("KESSAI_TEST_KEK", string(bytes.TrimSpace(b)))
	k2, err := kek.Open("env:KESSAI_TEST_KEK")
	if err != nil || k2.ID() != "env:KESSAI_TEST_KEK" {
		t.Fatalf("Open(env:) = %v, %v", k2, err)
	}
	for _, spec := range []string{"", "hcvault://nowhere/transit/keys/x", "kek.txt"} {
		if _, err := kek.Open(spec); err == nil {
			t.Errorf("Open(%q) succeeded", spec)
		}
	}
}
