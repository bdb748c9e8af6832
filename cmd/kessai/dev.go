package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/kessai/kessai/cmd/kessai/app"
)

func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "./kessai-data", "data directory (databases, keys, local CA)")
	httpAddr := fs.String("http", "127.0.0.1:8080", "plain HTTP listen address (loopback only)")
	httpsAddr := fs.String("https", "127.0.0.1:8443", "HTTPS listen address (certificate from the local CA)")
	isoAddr := fs.String("iso8583", "127.0.0.1:8583", "the simulated card company's ISO 8583 listen address")
	pkey := fs.String("public-key", "", "use this test public key (pkey_test_…) instead of a generated one")
	skey := fs.String("secret-key", "", "use this test secret key (skey_test_…) instead of a generated one")
	database := fs.String("database", "", "gateway database DSN (default: SQLite in the data directory); postgres://… for PostgreSQL")
	screening := fs.Bool("fraud", true, "screen charges and token creation for fraud (false: off, for throughput comparisons)")
	issuerAddr := fs.String("issuer-address", "", "connect to the card company's ISO 8583 host at this address instead of running one (see kessai issuer)")
	issuerTimeout := fs.Duration("issuer-timeout", 0, "how long the link waits for the card company's answer (default 10s)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := os.MkdirAll(*data, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	cfg := devConfig(*data)
	cfg.HTTP, cfg.HTTPS = *httpAddr, *httpsAddr
	if *database != "" {
		cfg.Database = *database
	}
	cfg.Issuer.Listen = *isoAddr
	cfg.Fraud.Disabled = !*screening
	if *issuerTimeout < 0 {
		return &exitError{2, fmt.Errorf("--issuer-timeout must not be negative")}
	}
	if *issuerAddr != "" {
		cfg.Issuer = app.IssuerConfig{Address: *issuerAddr}
	}
	cfg.Issuer.Timeout = app.Duration(*issuerTimeout)
	if err := cfg.Validate(); err != nil {
		return err
	}
	cfg.DevPublicKey, cfg.DevSecretKey = *pkey, *skey
	log := app.NewLogger(stderr, cfg.LogFormat, 0)
	a, err := app.Start(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	creds := a.Credentials()
	path := filepath.Join(*data, app.CredentialsFile)
	if err := writeJSON(path, creds); err != nil {
		return err
	}
	printWelcome(stdout, a, creds, *data)
	<-ctx.Done()
	fmt.Fprintln(stdout, "\nshutting down")
	return nil
}

// writeJSON writes v to path atomically with mode 0600.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func printWelcome(w io.Writer, a *app.App, c *app.Credentials, data string) {
	fmt.Fprintf(w, `
Kessai is running (dev mode).

  API and vault   %s   (HTTPS: %s, CA: %s)
  card network    ISO 8583 issuer host on %s
  example page    %s/example/
  data            %s (credentials.json, databases, KEK, local CA)

  public key      %s
  secret key      %s

Create a token (the card number goes to the vault only):

  curl -s %s/tokens -u %s: \
    -d 'card[name]=Taro Yamada' -d 'card[number]=4242424242424242' \
    -d 'card[expiration_month]=12' -d 'card[expiration_year]=2030' -d 'card[security_code]=123'

Test cards: 4242424242424242 (Visa, approved), 5555555555554444 (Mastercard), 3530111333300000 (JCB);
4111111111140011 declines with insufficient_fund. Any future expiry date works.
%s
Press Ctrl-C to stop.
`, c.APIURL, a.HTTPSURL(), c.CAFile, cmp.Or(a.IssuerAddr(), a.Config.Issuer.Address), c.APIURL, data, c.PublicKey, c.SecretKey, c.VaultURL, c.PublicKey, threeDSWelcome(a))
}

// threeDSWelcome describes 3-D Secure in the welcome text, "" when it is off.
func threeDSWelcome(a *app.App) string {
	if a.ThreeDS == nil {
		return ""
	}
	return fmt.Sprintf(`
3-D Secure: a charge with return_uri (this JPY test account: always; or authentication=3DS) answers
pending with an authorize_uri; send the customer there. DS and ACS (mutual TLS) on %s.
Test cards: 4000000000001000 frictionless, 4000000000002008 challenge (one-time password 123456),
4000000000004004 rejected by the issuer.
`, a.ThreeDSURL())
}
