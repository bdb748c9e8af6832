package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/cmd/kessai/app"
	"github.com/kessai/kessai/devpki"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/issuersim"
	"github.com/kessai/kessai/threeds/acs"
)

// pkiFiles runs "kessai pki" and returns the files it prints.
func pkiFiles(t *testing.T, dir string, args ...string) (cert, key, ca string) {
	t.Helper()
	var out bytes.Buffer
	if err := runPKI(context.Background(), append([]string{"--data", dir}, args...), &out, io.Discard); err != nil {
		t.Fatalf("pki %v: %v", args, err)
	}
	for _, l := range strings.Split(out.String(), "\n") {
		if v, ok := strings.CutPrefix(l, "cert: "); ok {
			cert = v
		} else if v, ok := strings.CutPrefix(l, "key: "); ok {
			key = v
		} else if v, ok := strings.CutPrefix(l, "ca: "); ok {
			ca = v
		}
	}
	if cert == "" || key == "" || ca == "" {
		t.Fatalf("pki %v printed %q", args, out.String())
	}
	return cert, key, ca
}

// testCard returns the ACS's Visa test card of a three-digit code (see
// threeds/acs TestCards).
func testCard(code string) string {
	for _, c := range acs.TestCards() {
		if strings.HasPrefix(c.Number, "400000000000"+code) {
			return c.Number
		}
	}
	panic("no test card " + code)
}

// TestServeThreeDS runs "kessai acs" and "kessai ds" apart, and the gateway
// in serve mode (no dev shortcuts) with three_d_secure pointing at that DS,
// all with certificate files issued by "kessai pki" from one CA, and the
// issuer host
// checking CAVVs with the ACS's key. A JPY merchant's charge with a
// return_uri is authenticated (frictionless) and authorized with ECI and
// CAVV; an attempted one too; a rejected one fails.
func TestServeThreeDS(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		dir := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		// The operator's CA (here "kessai pki" in a directory of its
		// own) issues every certificate; ds and acs get them as files.
		ops := t.TempDir()
		files := func(name string) []string {
			cert, key, ca := pkiFiles(t, ops, "server", name, "127.0.0.1")
			ccert, ckey, _ := pkiFiles(t, ops, "client", name+"-client", "kessai-"+name)
			return []string{"--cert", cert, "--key", key, "--client-cert", ccert, "--client-key", ckey, "--ca", ca}
		}
		acsURL := startCommand(t, ctx, runACS, append([]string{"--data", dir, "--listen", "127.0.0.1:0"}, files("acs")...), "acs listening on ")
		dsURL := startCommand(t, ctx, runDS, append([]string{"--data", dir, "--listen", "127.0.0.1:0", "--acs", acsURL, "--servers", "TEST-3DSS-7"}, files("ds")...), "ds listening on ")
		if _, err := os.Stat(filepath.Join(dir, "pki")); err == nil {
			t.Errorf("ds or acs made a dev CA although given certificate files")
		}

		gwCert, gwKey, caFile := pkiFiles(t, ops, "server", "gateway", "127.0.0.1")
		clCert, clKey, _ := pkiFiles(t, ops, "client", "gateway-3dss", "kessai-gateway-3dss")
		gw := t.TempDir()
		cfg := map[string]any{
			"database": dsn, "kek": "file:" + gw + "/kek.key", "data_dir": gw,
			"listen_https": "127.0.0.1:0", "tls_cert_file": gwCert, "tls_key_file": gwKey,
			"issuer": map[string]any{"run": true, "listen": "127.0.0.1:0", "database": "sqlite:" + gw + "/issuer.db",
				"acs_key_file": filepath.Join(dir, "acs-cavv.key")},
			"three_d_secure": map[string]any{"ds_url": dsURL, "client_cert_file": clCert, "client_key_file": clKey,
				"ca_file": caFile, "listen": "127.0.0.1:0", "server_ref_number": "TEST-3DSS-7"},
		}
		raw, _ := json.Marshal(cfg)
		path := filepath.Join(gw, "config.json")
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		conf, err := app.LoadConfig(path)
		if err != nil {
			t.Fatal(err)
		}
		var logs bytes.Buffer
		a, err := app.Start(ctx, conf, app.NewLogger(&logs, "json", 0))
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		if strings.Contains(logs.String(), "not authenticated") {
			t.Errorf("serve warned that 3-D Secure is off:\n%s", logs.String())
		}

		acct := &kessai.Account{Email: "shop@example.jp", Country: "JP", Currency: "jpy"}
		if err := a.Accounts.CreateAccount(ctx, acct); err != nil {
			t.Fatal(err)
		}
		pk, err := a.Accounts.CreateKey(ctx, acct.ID, kessai.PublicKey, false, "")
		if err != nil {
			t.Fatal(err)
		}
		sk, err := a.Accounts.CreateKey(ctx, acct.ID, kessai.SecretKey, false, "")
		if err != nil {
			t.Fatal(err)
		}
		pool, err := devpki.LoadCertPool(caFile)
		if err != nil {
			t.Fatal(err)
		}
		browser := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
			CheckRedirect: func(req *http.Request, _ []*http.Request) error {
				if !strings.HasPrefix(req.URL.String(), a.HTTPSURL()) {
					return http.ErrUseLastResponse // the shop's return page
				}
				return nil
			}}
		api := func(t *testing.T, method, path, key string, form url.Values) map[string]any {
			t.Helper()
			req, _ := http.NewRequest(method, a.HTTPSURL()+path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(key, "")
			res, err := browser.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var out map[string]any
			json.NewDecoder(res.Body).Decode(&out)
			if res.StatusCode != 200 {
				t.Fatalf("%s %s: %d %v", method, path, res.StatusCode, out)
			}
			return out
		}
		page := func(t *testing.T, method, u string, form url.Values) string {
			t.Helper()
			req, _ := http.NewRequest(method, u, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res, err := browser.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return string(b)
		}

		for _, tc := range []struct {
			name, card                 string
			status, auth, eci, failure string
		}{
			{"Frictionless", testCard("100"), "successful", "authenticated", "05", ""},
			{"Attempted", testCard("600"), "successful", "attempted", "06", ""},
			{"Rejected", testCard("400"), "failed", "rejected", "07", "payment_rejected"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tok := api(t, "POST", "/tokens", pk.Key.Reveal(), url.Values{"card[name]": {"Taro Yamada"}, "card[number]": {tc.card},
					"card[expiration_month]": {"12"}, "card[expiration_year]": {"2031"}, "card[security_code]": {"123"}})
				// No authentication=3DS: the JPY account's policy asks for it.
				ch := api(t, "POST", "/charges", sk.Key.Reveal(), url.Values{"amount": {"5000"}, "currency": {"jpy"},
					"card": {tok["id"].(string)}, "return_uri": {"https://shop.example/return"}})
				uri, _ := ch["authorize_uri"].(string)
				if ch["status"] != "pending" || !strings.HasPrefix(uri, a.HTTPSURL()+"/payments/") {
					t.Fatalf("charge: status %v authorize_uri %v", ch["status"], ch["authorize_uri"])
				}
				page(t, "GET", uri, nil)
				if body := page(t, "POST", uri, url.Values{"browser_javascript_enabled": {"false"}}); !strings.Contains(body, "https://shop.example/return") {
					t.Fatalf("after the AReq: %s", body)
				}
				id := ch["id"].(string)
				for deadline := time.Now().Add(20 * time.Second); ch["status"] == "pending" && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
					ch = api(t, "GET", "/charges/"+id, sk.Key.Reveal(), nil)
				}
				tds, _ := ch["three_d_secure"].(map[string]any)
				failure, _ := ch["failure_code"].(string)
				if ch["status"] != tc.status || tds["status"] != tc.auth || tds["eci"] != tc.eci || failure != tc.failure {
					t.Fatalf("charge %v failure %v three_d_secure %v", ch["status"], ch["failure_code"], tds)
				}
				holds, err := a.Issuer.Ledger(ctx, issuersim.LedgerQuery{Reference: id})
				if err != nil {
					t.Fatal(err)
				}
				if (len(holds) > 0) != (tc.status == "successful") {
					t.Errorf("issuer ledger of %s: %+v", id, holds)
				}
			})
		}
	})
}

// TestServeThreeDSConfig checks that serve refuses an incomplete
// three_d_secure and warns once when there is none.
func TestServeThreeDSConfig(t *testing.T) {
	dir := t.TempDir()
	base := `"database":"sqlite:` + dir + `/k.db","kek":"file:` + dir + `/kek","listen_http":"127.0.0.1:0","behind_tls_proxy":true,
		"issuer":{"run":true,"listen":"127.0.0.1:0","database":"sqlite:` + dir + `/issuer.db"}`
	for name, tc := range map[string]struct{ extra, want string }{
		"Incomplete": {`,"public_url":"https://pay.example","three_d_secure":{"ds_url":"https://ds.example/ds"}`,
			"three_d_secure is incomplete for a Directory Server elsewhere: missing client_cert_file, client_key_file, ca_file, listen, server_ref_number, results_cert_file"},
		"PlainDS": {`,"public_url":"https://pay.example","three_d_secure":{"ds_url":"http://ds.example/ds","client_cert_file":"c","client_key_file":"k","ca_file":"ca","listen":"127.0.0.1:0","server_ref_number":"R","results_cert_file":"c","results_key_file":"k"}`,
			"ds_url must be an https URL"},
		"NoHTTPSPages": {`,"three_d_secure":{"ds_url":"https://ds.example/ds","client_cert_file":"c","client_key_file":"k","ca_file":"ca","listen":"127.0.0.1:0","server_ref_number":"R","results_cert_file":"c","results_key_file":"k"}`,
			"needs an https public_url or listen_https"},
		"WildcardListen": {`,"public_url":"https://pay.example","three_d_secure":{"ds_url":"https://ds.example/ds","client_cert_file":"c","client_key_file":"k","ca_file":"ca","listen":"0.0.0.0:8444","server_ref_number":"R","results_cert_file":"c","results_key_file":"k"}`,
			"results_url is required"},
		"MissingFile": {`,"public_url":"https://pay.example","three_d_secure":{"ds_url":"https://ds.example/ds","client_cert_file":"c","client_key_file":"k","ca_file":"` + dir + `/none.pem","listen":"127.0.0.1:0","server_ref_number":"R","results_cert_file":"c","results_key_file":"k"}`,
			"three_d_secure.ca_file"},
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "config.json")
			os.WriteFile(p, []byte("{"+base+tc.extra+"}"), 0o600)
			err := run(context.Background(), []string{"serve", "--config", p}, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("serve: %v, want %q", err, tc.want)
			}
		})
	}
	t.Run("Unconfigured", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "config.json")
		os.WriteFile(p, []byte("{"+base+"}"), 0o600)
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		var errOut bytes.Buffer
		if err := run(ctx, []string{"serve", "--config", p}, io.Discard, &errOut); err != nil {
			t.Fatalf("serve: %v", err)
		}
		if n := strings.Count(errOut.String(), "3-D Secure is not configured"); n != 1 {
			t.Errorf("%d warnings about 3-D Secure, want 1:\n%s", n, errOut.String())
		}
	})
}
