package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/kessai/kessai/cmd/kessai/app"
	"github.com/kessai/kessai/threeds/acs"
	"github.com/kessai/kessai/threeds/ds"
)

func runDS(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ds", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, `Usage: kessai ds --acs URL [--data DIR] [--listen ADDR] [--url URL]

Runs the simulated 3-D Secure Directory Server alone until interrupted. It
routes every card range of the simulated card company to the ACS at --acs
(the base URL that "kessai acs" prints). Every request must come with a
client certificate of the dev CA in DIR/pki (mutual TLS), or of the --ca
bundle when the certificates are given as files. RReqs go to the
threeDSServerURL of each AReq, with the DS's client certificate.`)
		fs.PrintDefaults()
	}
	data := fs.String("data", "./kessai-data", "data directory (dev CA)")
	listen := fs.String("listen", "127.0.0.1:8600", `HTTPS listen address (":0" picks a free port)`)
	public := fs.String("url", "", "public URL of the DS (default https://LISTEN/ds)")
	acsURL := fs.String("acs", "", "base URL of the ACS, e.g. https://127.0.0.1:8601/acs (required)")
	servers := fs.String("servers", "", "comma-separated threeDSServerRefNumbers allowed (default any)")
	preqInterval := fs.Duration("preq-interval", time.Hour, "shortest time between two PReqs of one 3DS Server (0: no limit)")
	acsTimeout := fs.Duration("acs-timeout", ds.DefaultACSTimeout, "how long to wait for an ARes")
	logFormat := fs.String("log", "text", "log format: text or json")
	var pf pkiFlags
	pf.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !strings.HasPrefix(*acsURL, "https://") {
		fs.Usage()
		return &exitError{2, errors.New("ds needs --acs https://…")}
	}
	base := strings.TrimRight(*acsURL, "/")
	certs, err := threeDSPKI(*data, "ds", pf)
	if err != nil {
		return err
	}
	l, url, err := listenURL(*listen, *public, "/ds")
	if err != nil {
		return err
	}
	var refs []string
	for _, r := range strings.Split(*servers, ",") {
		if r = strings.TrimSpace(r); r != "" {
			refs = append(refs, r)
		}
	}
	d, err := ds.New(ds.Config{
		URL: url, Client: certs.client, Ranges: ds.RangesFor(base+"/areq", acs.Ranges(base+"/method")),
		ServerRefNumbers: refs, PReqInterval: *preqInterval, ACSTimeout: *acsTimeout,
		Logger: app.NewLogger(stderr, *logFormat, slog.LevelInfo),
	})
	if err != nil {
		l.Close()
		return err
	}
	fmt.Fprintf(stdout, "ds listening on %s\nca file: %s\n", url, certs.caFile)
	err = serveTLS(ctx, l, certs.mutualTLS(tls.RequireAndVerifyClientCert), d)
	fmt.Fprintln(stdout, "shutting down")
	return err
}
