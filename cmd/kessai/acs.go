package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"

	"github.com/kessai/kessai/cmd/kessai/app"
	"github.com/kessai/kessai/threeds/acs"
)

func runACS(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("acs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, `Usage: kessai acs [--data DIR] [--listen ADDR] [--url URL]

Runs the simulated card company's 3-D Secure ACS alone until interrupted.
Its certificates come from the dev CA in DIR/pki (or the files of --cert,
--key, --client-cert, --client-key and --ca), its CAVV key from
DIR/acs-cavv.key (both made on first start); a DS started with the same
--data trusts it. The AReq endpoint requires a client certificate of that
CA; the challenge pages do not. In test mode the one-time password is
123456.`)
		fs.PrintDefaults()
	}
	data := fs.String("data", "./kessai-data", "data directory (dev CA, CAVV key)")
	listen := fs.String("listen", "127.0.0.1:8601", `HTTPS listen address (":0" picks a free port)`)
	public := fs.String("url", "", "public base URL of the ACS (default https://LISTEN/acs)")
	testMode := fs.Bool("test-mode", true, "one-time password 123456, shown on the page")
	threshold := fs.Int64("threshold", acs.DefaultThreshold, "amount (minor units) above which purchases are challenged")
	logFormat := fs.String("log", "text", "log format: text or json")
	var pf pkiFlags
	pf.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	certs, err := threeDSPKI(*data, "acs", pf)
	if err != nil {
		return err
	}
	key, err := acs.LoadOrCreateKey(filepath.Join(*data, "acs-cavv.key"))
	if err != nil {
		return err
	}
	l, url, err := listenURL(*listen, *public, "/acs")
	if err != nil {
		return err
	}
	a, err := acs.New(acs.Config{
		URL: url, Key: key, Client: certs.client, TestMode: *testMode, Threshold: *threshold,
		Logger: app.NewLogger(stderr, *logFormat, slog.LevelInfo),
	})
	if err != nil {
		l.Close()
		return err
	}
	defer a.Close()
	tlsCfg := certs.mutualTLS(tls.VerifyClientCertIfGiven) // browsers reach the challenge without one
	fmt.Fprintf(stdout, "acs listening on %s\n", url)
	fmt.Fprintf(stdout, "areq endpoint: %s\nchallenge: %s\n3ds method: %s\nca file: %s\n", a.AReqURL(), a.ChallengeURL(), a.MethodURL(), certs.caFile)
	mux := http.NewServeMux()
	mux.Handle("/", a)
	err = serveTLS(ctx, l, tlsCfg, mux)
	fmt.Fprintln(stdout, "shutting down")
	return err
}
