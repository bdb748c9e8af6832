package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kessai/kessai/cmd/kessai/app"
	"github.com/kessai/kessai/devpki"
)

// startDev runs "kessai dev" in-process with the extra flags until the test
// ends, and returns the credentials it wrote.
func startDev(t *testing.T, dir string, extra ...string) (*app.Credentials, *bytes.Buffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut bytes.Buffer
	done := make(chan error, 1)
	args := append([]string{"dev", "--data", dir, "--http", "127.0.0.1:0", "--https", "127.0.0.1:0", "--iso8583", "127.0.0.1:0"}, extra...)
	started := time.Now()
	go func() { done <- run(ctx, args, &out, &errOut) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("dev returned %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("dev did not shut down")
		}
	})
	path := filepath.Join(dir, app.CredentialsFile)
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, err := os.ReadFile(path)
		if fi, serr := os.Stat(path); err == nil && serr == nil && !fi.ModTime().Before(started) {
			var c app.Credentials
			if err := json.Unmarshal(b, &c); err != nil {
				t.Fatal(err)
			}
			fi, _ := os.Stat(path)
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("credentials.json mode %v", fi.Mode().Perm())
			}
			return &c, &out
		}
		select {
		case err := <-done:
			t.Fatalf("dev stopped: %v\n%s", err, errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("no credentials.json")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDevContract checks the dev-mode contract of DESIGN.md: flags, :0
// ports, credentials.json, /healthz over HTTP and HTTPS (with the local CA),
// the given keys, and keys kept across restarts.
func TestDevContract(t *testing.T) {
	dir := t.TempDir()
	pk := "pkey_test_" + strings.Repeat("1", 19)
	sk := "skey_test_" + strings.Repeat("2", 19)
	c, out := startDev(t, dir, "--public-key", pk, "--secret-key", sk)
	if c.PublicKey != pk || c.SecretKey != sk {
		t.Errorf("keys %s %s, want the given ones", c.PublicKey, c.SecretKey)
	}
	if !strings.HasPrefix(c.APIURL, "http://127.0.0.1:") || c.VaultURL == "" || c.WebhookSecret == "" || c.CAFile == "" {
		t.Errorf("credentials = %+v", c)
	}
	for _, want := range []string{c.APIURL, pk, "curl", "4242424242424242", dir} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("welcome lacks %q:\n%s", want, out.String())
		}
	}
	res, err := http.Get(c.APIURL + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", res, err)
	}
	res.Body.Close()

	// HTTPS with the generated CA: TLS 1.2+, HSTS.
	pool, err := devpki.LoadCertPool(c.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	httpsURL := httpsURLFromWelcome(t, out.String())
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	res, err = hc.Get(httpsURL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Strict-Transport-Security") == "" {
		t.Errorf("https healthz: %d, HSTS %q", res.StatusCode, res.Header.Get("Strict-Transport-Security"))
	}
	old := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS11}}}
	if _, err := old.Get(httpsURL + "/healthz"); err == nil {
		t.Error("TLS 1.1 was accepted")
	}
}

// TestDevRestartKeepsKeys checks that a second start reuses the merchant
// and the generated keys.
func TestDevRestartKeepsKeys(t *testing.T) {
	dir := t.TempDir()
	var first *app.Credentials
	t.Run("first", func(t *testing.T) { first, _ = startDev(t, dir) })
	t.Run("second", func(t *testing.T) {
		second, _ := startDev(t, dir)
		if second.PublicKey != first.PublicKey || second.SecretKey != first.SecretKey || second.AccountID != first.AccountID || second.WebhookSecret != first.WebhookSecret {
			t.Errorf("restart changed credentials: %+v vs %+v", second, first)
		}
	})
	// The admin commands work on the data directory once dev has stopped.
	var out bytes.Buffer
	if err := run(context.Background(), []string{"keys", "list", "--data", dir}, &out, &out); err != nil {
		t.Fatalf("keys list: %v\n%s", err, out.String())
	}
	if strings.Count(out.String(), "test") < 2 || strings.Contains(out.String(), first.SecretKey) {
		t.Errorf("keys list:\n%s", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"keys", "roll", "--data", dir, "--kind", "secret", "--grace", "1h"}, &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "skey_test_") {
		t.Errorf("roll printed %q", out.String())
	}
	if err := run(context.Background(), []string{"migrate", "--data", dir}, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Errorf("migrate: %v", err)
	}
}

func httpsURLFromWelcome(t *testing.T, s string) string {
	t.Helper()
	i := strings.Index(s, "HTTPS: ")
	if i < 0 {
		t.Fatalf("no HTTPS URL in welcome:\n%s", s)
	}
	rest := s[i+len("HTTPS: "):]
	return rest[:strings.IndexAny(rest, ", ")]
}

// TestServeRefusesPlainHTTP checks that serve refuses to start without TLS
// unless it is told a TLS proxy is in front, and that dev refuses plain
// HTTP off loopback.
func TestServeRefusesPlainHTTP(t *testing.T) {
	dir := t.TempDir()
	write := func(cfg string) string {
		p := filepath.Join(dir, "config.json")
		os.WriteFile(p, []byte(cfg), 0o600)
		return p
	}
	cases := map[string]string{
		"plain http":   `{"database":"sqlite:` + dir + `/k.db","kek":"file:` + dir + `/kek","listen_http":"127.0.0.1:0"}`,
		"https no key": `{"database":"sqlite:` + dir + `/k.db","kek":"file:` + dir + `/kek","listen_https":"127.0.0.1:0"}`,
		"no kek":       `{"database":"sqlite:` + dir + `/k.db","listen_https":"127.0.0.1:0","tls_cert_file":"a","tls_key_file":"b"}`,
		"no issuer":    `{"database":"sqlite:` + dir + `/k.db","kek":"file:` + dir + `/kek","listen_http":"127.0.0.1:0","behind_tls_proxy":true}`,
		"typo":         `{"database":"sqlite:` + dir + `/k.db","kek":"file:x","listen_http":"127.0.0.1:0","behind_tls_proxi":true}`,
	}
	for name, cfg := range cases {
		err := run(context.Background(), []string{"serve", "--config", write(cfg)}, &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil {
			t.Errorf("%s: serve started", name)
		}
	}
	err := run(context.Background(), []string{"dev", "--data", dir, "--http", "0.0.0.0:0"}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("dev on 0.0.0.0: %v", err)
	}
}

// TestServeBehindProxy starts serve with plain HTTP behind a declared TLS
// proxy and stops it.
func TestServeBehindProxy(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "config.json")
	os.WriteFile(p, []byte(`{"database":"sqlite:`+dir+`/k.db","kek":"file:`+dir+`/kek","listen_http":"127.0.0.1:0","behind_tls_proxy":true,
		"issuer":{"run":true,"listen":"127.0.0.1:0","database":"sqlite:`+dir+`/issuer.db"}}`), 0o600)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var errOut bytes.Buffer
	if err := run(ctx, []string{"serve", "--config", p}, &bytes.Buffer{}, &errOut); err != nil {
		t.Fatalf("serve: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(errOut.String(), `"msg":"kessai serving"`) {
		t.Errorf("serve log:\n%s", errOut.String())
	}
}

// TestVaultRotateCommand rotates the vault of a stopped dev instance and
// checks that its tokens still read back afterwards.
func TestVaultRotateCommand(t *testing.T) {
	dir := t.TempDir()
	var c *app.Credentials
	var tokenID string
	t.Run("before", func(t *testing.T) {
		c, _ = startDev(t, dir)
		tokenID = createToken(t, c)
	})
	secretBefore := c.WebhookSecret
	var out bytes.Buffer
	if err := run(context.Background(), []string{"vault", "rotate", "--data", dir}, &out, &out); err != nil {
		t.Fatalf("rotate: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "100%") {
		t.Errorf("rotate drew no finished progress bar:\n%s", out.String())
	}
	// dev mode made the test-mode signing secret (credentials.json).
	if !strings.Contains(out.String(), "Webhook signing secrets sealed again: 1.") {
		t.Errorf("rotate did not reseal the webhook secret:\n%s", out.String())
	}
	if err := run(context.Background(), []string{"vault", "rotate", "--resume", "--data", dir}, &out, &out); err != nil {
		t.Fatalf("rotate --resume: %v\n%s", err, out.String())
	}
	t.Run("after", func(t *testing.T) {
		c, _ = startDev(t, dir)
		req, _ := http.NewRequest("GET", c.APIURL+"/tokens/"+tokenID, nil)
		req.SetBasicAuth(c.PublicKey, "")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("token after rotation: %d", res.StatusCode)
		}
		req, _ = http.NewRequest("GET", c.APIURL+"/account/webhook_secret", nil)
		req.SetBasicAuth(c.SecretKey, "")
		res, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var sec struct{ Secret string }
		json.NewDecoder(res.Body).Decode(&sec)
		res.Body.Close()
		if secretBefore == "" || sec.Secret != secretBefore {
			t.Errorf("webhook secret after rotation: %d, changed %v", res.StatusCode, sec.Secret != secretBefore)
		}
	})
}

// createToken creates a token for the Visa test card and returns its id.
func createToken(t *testing.T, c *app.Credentials) string {
	t.Helper()
	body := strings.NewReader("card[name]=Taro&card[number]=4242424242424242&card[expiration_month]=12&card[expiration_year]=2031")
	req, _ := http.NewRequest("POST", c.APIURL+"/tokens", body)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.PublicKey, "")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var tok struct{ ID string }
	json.NewDecoder(res.Body).Decode(&tok)
	if res.StatusCode != 200 || tok.ID == "" {
		t.Fatalf("token: %d", res.StatusCode)
	}
	return tok.ID
}
