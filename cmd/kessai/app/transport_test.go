package app_test

import (
	"crypto/tls"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/kessai/kessai/devpki"
	"github.com/kessai/kessai/web"
)

// TestTransport checks the running platform's HTTPS listener with Go's TLS
// client: TLS 1.0 and 1.1 refused; in TLS 1.2 every cipher suite Go knows
// is offered alone and only the ECDHE+AEAD ones are accepted (no CBC, no
// RSA key exchange, no 3DES or RC4); TLS 1.3 works. Every HTTPS response,
// API and browser pages alike, successes and errors, carries HSTS and a
// Content-Security-Policy without 'unsafe-inline' or 'unsafe-eval'.
func TestTransport(t *testing.T) {
	p := startPlatform(t, "sqlite:"+t.TempDir()+"/gw.db")
	host := strings.TrimPrefix(p.HTTPSURL(), "https://")
	pool := p.CA.CertPool()
	handshake := func(min, max uint16, suites ...uint16) (*tls.ConnectionState, error) {
		c, err := tls.DialWithDialer(&net.Dialer{}, "tcp", host, &tls.Config{
			RootCAs: pool, ServerName: "localhost", MinVersion: min, MaxVersion: max, CipherSuites: suites,
		})
		if err != nil {
			return nil, err
		}
		defer c.Close()
		st := c.ConnectionState()
		return &st, nil
	}
	for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
		if _, err := handshake(v, v); err == nil {
			t.Errorf("%s accepted", tls.VersionName(v))
		}
	}
	if st, err := handshake(tls.VersionTLS13, tls.VersionTLS13); err != nil || st.Version != tls.VersionTLS13 {
		t.Errorf("TLS 1.3: %v", err)
	}
	if st, err := handshake(0, 0); err != nil || st.Version < tls.VersionTLS12 {
		t.Errorf("default client: %v", err)
	}
	allowed := devpki.CipherSuites()
	var accepted int
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		if !slices.Contains(s.SupportedVersions, tls.VersionTLS12) {
			continue
		}
		_, err := handshake(tls.VersionTLS12, tls.VersionTLS12, s.ID)
		want := slices.Contains(allowed, s.ID)
		if want && !strings.HasPrefix(s.Name, "TLS_ECDHE_") || want && !(strings.Contains(s.Name, "_GCM_") || strings.Contains(s.Name, "CHACHA20")) {
			t.Errorf("allowed suite %s is not ECDHE with an AEAD", s.Name)
		}
		switch {
		case err == nil && !want:
			t.Errorf("weak suite %s accepted", s.Name)
		case err == nil:
			accepted++
		case want && strings.Contains(s.Name, "_ECDSA_"):
			// The dev certificate is ECDSA: every allowed ECDSA suite
			// must work.
			t.Errorf("allowed suite %s refused: %v", s.Name, err)
		}
	}
	if accepted == 0 {
		t.Error("no TLS 1.2 suite accepted")
	}

	hc := p.httpsClient()
	pages := []struct {
		path, key string
		status    int
	}{
		{"/healthz", "", 200},
		{"/charges", p.creds.SecretKey, 200},
		{"/charges", "", 401},
		{"/no/such/page", "", 404},
		{"/kessai.js", "", 200},
		{web.ExamplePath, "", 200},
	}
	for _, pg := range pages {
		req, _ := http.NewRequest("GET", p.HTTPSURL()+pg.path, nil)
		if pg.key != "" {
			req.SetBasicAuth(pg.key, "")
		}
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != pg.status {
			t.Errorf("GET %s: %d, want %d", pg.path, res.StatusCode, pg.status)
		}
		if h := res.Header.Get("Strict-Transport-Security"); !strings.Contains(h, "max-age=") || strings.Contains(h, "max-age=0") {
			t.Errorf("GET %s: Strict-Transport-Security %q", pg.path, h)
		}
		csp := res.Header.Get("Content-Security-Policy")
		if csp == "" || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || !strings.Contains(csp, "default-src") {
			t.Errorf("GET %s: Content-Security-Policy %q", pg.path, csp)
		}
		if strings.HasSuffix(pg.path, "/") && !strings.Contains(csp, "frame-ancestors") {
			t.Errorf("GET %s: page may be framed: %q", pg.path, csp)
		}
	}
	// Plain HTTP (loopback dev listener) sends no HSTS, as RFC 6797 asks.
	res, err := http.Get(p.HTTPURL() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS over plain HTTP")
	}
}
