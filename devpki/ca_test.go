package devpki_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kessai/kessai/devpki"
)

func mustEnsureCA(tb testing.TB, dir string) *devpki.CA {
	tb.Helper()
	ca, err := devpki.EnsureCA(dir)
	if err != nil {
		tb.Fatalf("EnsureCA: %v", err)
	}
	return ca
}

func mode(tb testing.TB, name string) fs.FileMode {
	tb.Helper()
	fi, err := os.Stat(name)
	if err != nil {
		tb.Fatal(err)
	}
	return fi.Mode().Perm()
}

func readFile(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestEnsureCA(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "pki")
	ca := mustEnsureCA(t, dir)

	if got, want := ca.CertFile, filepath.Join(dir, devpki.CACertFile); got != want {
		t.Errorf("CertFile = %q, want %q", got, want)
	}
	if got := mode(t, dir); got != 0o700 {
		t.Errorf("directory mode = %v, want 0700", got)
	}
	if got := mode(t, filepath.Join(dir, devpki.CAKeyFile)); got != 0o600 {
		t.Errorf("key file mode = %v, want 0600", got)
	}
	if got := mode(t, ca.CertFile); got != 0o644 {
		t.Errorf("certificate file mode = %v, want 0644", got)
	}

	c := ca.Cert
	if !c.IsCA || !c.BasicConstraintsValid || !c.MaxPathLenZero {
		t.Errorf("certificate is not a path-length-0 CA: IsCA=%v BasicConstraintsValid=%v MaxPathLenZero=%v",
			c.IsCA, c.BasicConstraintsValid, c.MaxPathLenZero)
	}
	pub, ok := c.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		t.Errorf("public key = %T, want ECDSA P-256", c.PublicKey)
	}
	if life := c.NotAfter.Sub(c.NotBefore); life < 3650*24*time.Hour {
		t.Errorf("CA lifetime = %v, want ten years", life)
	}

	certPEM := readFile(t, ca.CertFile)
	keyPEM := readFile(t, filepath.Join(dir, devpki.CAKeyFile))
	again := mustEnsureCA(t, dir)
	if !bytes.Equal(again.Cert.Raw, ca.Cert.Raw) {
		t.Error("second EnsureCA returned a different CA certificate")
	}
	if !bytes.Equal(readFile(t, ca.CertFile), certPEM) || !bytes.Equal(readFile(t, filepath.Join(dir, devpki.CAKeyFile)), keyPEM) {
		t.Error("second EnsureCA rewrote the CA files")
	}
}

func TestEnsureCATightensKeyMode(t *testing.T) {
	dir := t.TempDir()
	mustEnsureCA(t, dir)
	key := filepath.Join(dir, devpki.CAKeyFile)
	if err := os.Chmod(key, 0o644); err != nil {
		t.Fatal(err)
	}
	mustEnsureCA(t, dir)
	if got := mode(t, key); got != 0o600 {
		t.Errorf("key file mode after EnsureCA = %v, want 0600", got)
	}
}

func TestEnsureCARefusesBrokenFiles(t *testing.T) {
	other := t.TempDir()
	mustEnsureCA(t, other)
	otherKey := readFile(t, filepath.Join(other, devpki.CAKeyFile))

	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
	}{
		{"KeyMissing", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, devpki.CAKeyFile))
		}},
		{"CertMissing", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, devpki.CACertFile))
		}},
		{"CertGarbage", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, devpki.CACertFile), []byte("not a certificate"), 0o644)
		}},
		{"KeyOfAnotherCA", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, devpki.CAKeyFile), otherKey, 0o600)
		}},
		{"NotACA", func(t *testing.T, dir string) {
			ca := mustEnsureCA(t, dir)
			leaf, err := ca.ServerCert("server")
			if err != nil {
				t.Fatal(err)
			}
			os.Rename(leaf.CertFile, filepath.Join(dir, devpki.CACertFile))
			os.Rename(leaf.KeyFile, filepath.Join(dir, devpki.CAKeyFile))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			mustEnsureCA(t, dir)
			tt.setup(t, dir)
			before := snapshot(t, dir)
			if _, err := devpki.EnsureCA(dir); err == nil {
				t.Fatal("EnsureCA succeeded, want an error")
			}
			if after := snapshot(t, dir); !equalSnapshots(before, after) {
				t.Error("EnsureCA changed the files of a CA it refused")
			}
		})
	}
}

// snapshot returns the contents of the CA files in dir ("" if missing).
func snapshot(tb testing.TB, dir string) [2]string {
	var s [2]string
	for i, f := range []string{devpki.CACertFile, devpki.CAKeyFile} {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		s[i] = string(b)
	}
	return s
}

func equalSnapshots(a, b [2]string) bool { return a == b }

func TestLoadCertPool(t *testing.T) {
	ca := mustEnsureCA(t, t.TempDir())
	leaf, err := ca.ServerCert("server")
	if err != nil {
		t.Fatal(err)
	}
	pool, err := devpki.LoadCertPool(ca.CertFile)
	if err != nil {
		t.Fatalf("LoadCertPool: %v", err)
	}
	if _, err := leaf.Certificate.Leaf.Verify(verifyOpts(pool, "localhost")); err != nil {
		t.Errorf("leaf does not verify with the loaded pool: %v", err)
	}

	empty := filepath.Join(t.TempDir(), "empty.pem")
	os.WriteFile(empty, nil, 0o644)
	if _, err := devpki.LoadCertPool(empty); err == nil {
		t.Error("LoadCertPool of an empty file succeeded")
	}
	if _, err := devpki.LoadCertPool(filepath.Join(t.TempDir(), "missing.pem")); err == nil {
		t.Error("LoadCertPool of a missing file succeeded")
	}
}
