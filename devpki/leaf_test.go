package devpki_test

import (
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai/devpki"
)

func verifyOpts(pool *x509.CertPool, name string) x509.VerifyOptions {
	return x509.VerifyOptions{DNSName: name, Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
}

func mustServerCert(tb testing.TB, ca *devpki.CA, name string, hosts ...string) *devpki.Leaf {
	tb.Helper()
	l, err := ca.ServerCert(name, hosts...)
	if err != nil {
		tb.Fatalf("ServerCert: %v", err)
	}
	return l
}

func TestServerCert(t *testing.T) {
	ca := mustEnsureCA(t, t.TempDir())
	l := mustServerCert(t, ca, "server")
	c := l.Certificate.Leaf

	if got := mode(t, l.KeyFile); got != 0o600 {
		t.Errorf("key file mode = %v, want 0600", got)
	}
	if diff := cmp.Diff([]string{"localhost"}, c.DNSNames); diff != "" {
		t.Errorf("DNSNames (-want +got):\n%s", diff)
	}
	var ips []string
	for _, ip := range c.IPAddresses {
		ips = append(ips, ip.String())
	}
	if diff := cmp.Diff([]string{"127.0.0.1", "::1"}, ips); diff != "" {
		t.Errorf("IPAddresses (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, c.ExtKeyUsage); diff != "" {
		t.Errorf("ExtKeyUsage (-want +got):\n%s", diff)
	}
	if c.IsCA {
		t.Error("leaf is a CA")
	}
	for _, name := range []string{"localhost", "127.0.0.1", "::1"} {
		if _, err := c.Verify(verifyOpts(ca.CertPool(), name)); err != nil {
			t.Errorf("Verify(%s): %v", name, err)
		}
	}
	if _, err := c.Verify(verifyOpts(ca.CertPool(), "example.com")); err == nil {
		t.Error("leaf verifies for example.com")
	}
	if !c.NotAfter.After(c.NotBefore) || c.NotAfter.After(ca.Cert.NotAfter) {
		t.Errorf("validity %v – %v is not within the CA's", c.NotBefore, c.NotAfter)
	}
}

func TestServerCertReuse(t *testing.T) {
	dir := t.TempDir()
	ca := mustEnsureCA(t, dir)
	first := mustServerCert(t, ca, "server")
	serial := func(l *devpki.Leaf) string { return l.Certificate.Leaf.SerialNumber.String() }

	t.Run("SameNames", func(t *testing.T) {
		pem := readFile(t, first.CertFile)
		again := mustServerCert(t, ca, "server", "::1", "LOCALHOST", "127.0.0.1")
		if serial(again) != serial(first) {
			t.Error("certificate was reissued for the same names")
		}
		if string(readFile(t, first.CertFile)) != string(pem) {
			t.Error("certificate file was rewritten")
		}
	})
	t.Run("AfterRestart", func(t *testing.T) {
		again := mustServerCert(t, mustEnsureCA(t, dir), "server")
		if serial(again) != serial(first) {
			t.Error("certificate was reissued after loading the CA again")
		}
	})
	t.Run("NamesChanged", func(t *testing.T) {
		changed := mustServerCert(t, ca, "server", "localhost", "127.0.0.1", "::1", "kessai.test")
		if serial(changed) == serial(first) {
			t.Fatal("certificate was not reissued for new names")
		}
		if diff := cmp.Diff([]string{"kessai.test", "localhost"}, changed.Certificate.Leaf.DNSNames); diff != "" {
			t.Errorf("DNSNames (-want +got):\n%s", diff)
		}
		if again := mustServerCert(t, ca, "server", "kessai.test", "::1", "127.0.0.1", "localhost"); serial(again) != serial(changed) {
			t.Error("certificate was reissued for the same names in another order")
		}
	})
	t.Run("OtherCA", func(t *testing.T) {
		otherDir := t.TempDir()
		other := mustEnsureCA(t, otherDir)
		for _, f := range []string{first.CertFile, first.KeyFile} {
			os.WriteFile(filepath.Join(otherDir, filepath.Base(f)), readFile(t, f), 0o600)
		}
		l := mustServerCert(t, other, "server")
		if err := l.Certificate.Leaf.CheckSignatureFrom(other.Cert); err != nil {
			t.Errorf("a leaf of another CA was reused: %v", err)
		}
	})
	t.Run("KeyMismatch", func(t *testing.T) {
		a := mustServerCert(t, ca, "a")
		b := mustServerCert(t, ca, "b")
		os.WriteFile(a.KeyFile, readFile(t, b.KeyFile), 0o600)
		again := mustServerCert(t, ca, "a")
		if serial(again) == serial(a) {
			t.Error("a certificate whose key file does not match was reused")
		}
	})
}

func TestClientCert(t *testing.T) {
	ca := mustEnsureCA(t, t.TempDir())
	l, err := ca.ClientCert("acs-client", "acs.kessai.test")
	if err != nil {
		t.Fatalf("ClientCert: %v", err)
	}
	c := l.Certificate.Leaf
	if c.Subject.CommonName != "acs.kessai.test" {
		t.Errorf("CommonName = %q", c.Subject.CommonName)
	}
	_, err = c.Verify(x509.VerifyOptions{Roots: ca.CertPool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	if err != nil {
		t.Errorf("Verify as client: %v", err)
	}
	again, err := ca.ClientCert("acs-client", "acs.kessai.test")
	if err != nil {
		t.Fatal(err)
	}
	if again.Certificate.Leaf.SerialNumber.Cmp(c.SerialNumber) != 0 {
		t.Error("client certificate was reissued for the same name")
	}
	renamed, err := ca.ClientCert("acs-client", "ds.kessai.test")
	if err != nil {
		t.Fatal(err)
	}
	if renamed.Certificate.Leaf.Subject.CommonName != "ds.kessai.test" {
		t.Error("client certificate was not reissued for a new common name")
	}
	if _, err := ca.ClientCert("x", ""); err == nil {
		t.Error("ClientCert with no common name succeeded")
	}
}

func TestLeafInvalidInput(t *testing.T) {
	ca := mustEnsureCA(t, t.TempDir())
	for _, name := range []string{"", "ca", "CA", "../server", "a/b", ".hidden", "sp ace"} {
		if _, err := ca.ServerCert(name); err == nil {
			t.Errorf("ServerCert(%q) succeeded", name)
		}
	}
	for _, host := range []string{"bad host", "-x.test", "x..test", "ünï.test", ""} {
		if _, err := ca.ServerCert("server", host); err == nil {
			t.Errorf("ServerCert(host %q) succeeded", host)
		}
	}
	if l, err := ca.ServerCert("server", "*.kessai.test", "10.0.0.1"); err != nil {
		t.Errorf("ServerCert(wildcard, IP): %v", err)
	} else if !l.Certificate.Leaf.IPAddresses[0].Equal(net.ParseIP("10.0.0.1")) {
		t.Errorf("IPAddresses = %v", l.Certificate.Leaf.IPAddresses)
	}
}
