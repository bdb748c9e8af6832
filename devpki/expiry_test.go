package devpki

import (
	"testing"
	"time"
)

// TestRenewal moves the CA's clock instead of waiting: leaves are reissued
// near their expiry, and a CA near its own expiry is replaced.
func TestRenewal(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	now := start
	clock := func() time.Time { return now }

	ca, err := ensureCA(dir, clock)
	if err != nil {
		t.Fatal(err)
	}
	first, err := ca.ServerCert("server")
	if err != nil {
		t.Fatal(err)
	}
	serial := first.Certificate.Leaf.SerialNumber

	now = start.Add(300 * 24 * time.Hour)
	l, err := ca.ServerCert("server")
	if err != nil {
		t.Fatal(err)
	}
	if l.Certificate.Leaf.SerialNumber.Cmp(serial) != 0 {
		t.Error("leaf reissued 300 days into its 397")
	}

	now = start.Add(leafValidity - renewBefore + time.Hour)
	l, err = ca.ServerCert("server")
	if err != nil {
		t.Fatal(err)
	}
	if l.Certificate.Leaf.SerialNumber.Cmp(serial) == 0 {
		t.Error("leaf not reissued within 30 days of its expiry")
	}
	if !l.Certificate.Leaf.NotAfter.After(now.Add(renewBefore)) {
		t.Errorf("reissued leaf expires at %v", l.Certificate.Leaf.NotAfter)
	}

	now = start.Add(caValidity / 2)
	same, err := ensureCA(dir, clock)
	if err != nil {
		t.Fatal(err)
	}
	if !same.Cert.Equal(ca.Cert) {
		t.Error("CA replaced halfway through its life")
	}

	now = start.Add(caValidity - renewBefore/2)
	renewed, err := ensureCA(dir, clock)
	if err != nil {
		t.Fatal(err)
	}
	if renewed.Cert.Equal(ca.Cert) {
		t.Fatal("CA not replaced near its expiry")
	}
	l, err = renewed.ServerCert("server")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Certificate.Leaf.CheckSignatureFrom(renewed.Cert); err != nil {
		t.Errorf("leaf not reissued by the new CA: %v", err)
	}
	if l.Certificate.Leaf.NotAfter.After(renewed.Cert.NotAfter) {
		t.Error("leaf outlives its CA")
	}
}
