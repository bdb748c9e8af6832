package app_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kessai/kessai/cmd/kessai/app"
	"github.com/kessai/kessai/internal/dbtest"
)

// startPlatformWith starts a dev platform as startPlatform does, with the
// configuration changed by edit first.
func startPlatformWith(t testing.TB, dsn string, edit func(*app.Config)) *platform {
	t.Helper()
	dir := t.TempDir()
	cfg := &app.Config{
		Dev: true, DataDir: dir, Database: dsn, KEK: "file:" + dir + "/kek.key",
		HTTP: "127.0.0.1:0", HTTPS: "127.0.0.1:0", LogFormat: "json",
		Issuer: app.IssuerConfig{Run: true, Listen: "127.0.0.1:0", Database: "sqlite:" + dir + "/issuer.db"},
	}
	edit(cfg)
	logs := &syncBuffer{}
	a, err := app.Start(context.Background(), cfg, app.NewLogger(logs, "json", -8))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return &platform{App: a, t: t, dir: dir, logs: logs, creds: a.Credentials()}
}

// TestFraudDisabled checks the fraud.disabled setting: a rule that blocks
// every charge is ignored, the charge succeeds and has no stored decision.
func TestFraudDisabled(t *testing.T) {
	p := startPlatformWith(t, dbtest.SQLiteDSN(t), func(c *app.Config) { c.Fraud.Disabled = true })
	sk, pk := p.creds.SecretKey, p.creds.PublicKey
	if res := p.do("POST", "/fraud/rules", sk, url.Values{"rule": {"block if amount > 0"}}); res.Status != 200 {
		t.Fatalf("create rule: %d %s", res.Status, res.Body)
	}
	res := p.do("POST", "/tokens", pk, cardForm("4242424242424242", "12", "2031", "123"))
	if res.Status != 200 {
		t.Fatalf("token: %d %s", res.Status, res.Body)
	}
	res = p.do("POST", "/charges", sk, url.Values{"amount": {"1000"}, "currency": {"jpy"}, "card": {res.Object["id"].(string)}})
	if res.Status != 200 || res.Object["status"] != "successful" {
		t.Fatalf("charge with screening off: %d %s", res.Status, res.Body)
	}
	if res := p.do("GET", "/charges/"+res.Object["id"].(string)+"/fraud", sk, nil); res.Status != 404 {
		t.Errorf("decision with screening off: %d %s", res.Status, res.Body)
	}
}

// TestFraudIPTable checks the fraud.ip_table_file setting: a rule on
// ip_country blocks a charge whose ip parameter is in the listed range,
// and lets one outside every range through (ip_country missing).
func TestFraudIPTable(t *testing.T) {
	table := filepath.Join(t.TempDir(), "ip.txt")
	if err := os.WriteFile(table, []byte("# test ranges\n192.0.2.0/24 NG\n198.51.100.0/24 TH\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startPlatformWith(t, dbtest.SQLiteDSN(t), func(c *app.Config) { c.Fraud.IPTableFile = table })
	sk, pk := p.creds.SecretKey, p.creds.PublicKey
	if res := p.do("POST", "/fraud/rules", sk, url.Values{"rule": {"block if ip_country == 'NG'"}}); res.Status != 200 {
		t.Fatalf("create rule: %d %s", res.Status, res.Body)
	}
	for ip, want := range map[string]string{"192.0.2.55": "failed", "198.51.100.9": "successful", "203.0.113.1": "successful"} {
		res := p.do("POST", "/tokens", pk, cardForm("4242424242424242", "12", "2031", "123"))
		res = p.do("POST", "/charges", sk, url.Values{"amount": {"1000"}, "currency": {"jpy"}, "card": {res.Object["id"].(string)}, "ip": {ip}})
		if res.Status != 200 || res.Object["status"] != want {
			t.Errorf("charge from %s: %d %v %v, want %s", ip, res.Status, res.Object["status"], res.Object["failure_code"], want)
		}
	}
	// A table that does not parse stops the start.
	bad := filepath.Join(t.TempDir(), "bad.txt")
	os.WriteFile(bad, []byte("not-a-range XX\n"), 0o600)
	dir := t.TempDir()
	_, err := app.Start(context.Background(), &app.Config{Dev: true, DataDir: dir, Database: dbtest.SQLiteDSN(t), KEK: "file:" + dir + "/k",
		HTTP: "127.0.0.1:0", Issuer: app.IssuerConfig{Run: true, Listen: "127.0.0.1:0", Database: "sqlite:" + dir + "/i.db"},
		Fraud: app.FraudConfig{IPTableFile: bad}}, app.NewLogger(&syncBuffer{}, "json", 0))
	if err == nil || !strings.Contains(err.Error(), "fraud ip table") {
		t.Errorf("bad table: %v", err)
	}
}
