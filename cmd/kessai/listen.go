package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kessai/kessai/cmd/kessai/app"
	"github.com/kessai/kessai/devpki"
	"github.com/kessai/kessai/webhook"
)

func runListen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("listen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: kessai listen --forward-to URL [--data DIR | --url URL --secret-key skey_test_…]")
		fs.PrintDefaults()
	}
	forward := fs.String("forward-to", "", "local URL that gets each event, signed like a webhook (required)")
	data := fs.String("data", "./kessai-data", "data directory of a running kessai dev (reads credentials.json)")
	apiURL := fs.String("url", "", "Kessai API URL (instead of --data)")
	key := fs.String("secret-key", os.Getenv("KESSAI_SECRET_KEY"), "secret key (with --url; default $KESSAI_SECRET_KEY)")
	caFile := fs.String("ca", "", "PEM file of a CA to trust for the API (with --url)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *forward == "" {
		fs.Usage()
		return errors.New("listen: --forward-to is required")
	}
	l := &webhook.Listener{APIURL: *apiURL, SecretKey: *key, ForwardTo: *forward, Out: stdout}
	if l.APIURL == "" {
		b, err := os.ReadFile(filepath.Join(*data, app.CredentialsFile))
		if err != nil {
			return fmt.Errorf("listen: %w (is kessai dev running? or pass --url and --secret-key)", err)
		}
		var c app.Credentials
		if err := json.Unmarshal(b, &c); err != nil {
			return fmt.Errorf("listen: %s: %w", app.CredentialsFile, err)
		}
		l.APIURL, l.SecretKey = c.APIURL, c.SecretKey
		if *caFile == "" {
			*caFile = c.CAFile
		}
	}
	if l.SecretKey == "" {
		return errors.New("listen: a secret key is required (--secret-key)")
	}
	if *caFile != "" && strings.HasPrefix(l.APIURL, "https:") {
		pool, err := devpki.LoadCertPool(*caFile)
		if err != nil {
			return err
		}
		l.Client = &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	}
	return l.Run(ctx)
}
