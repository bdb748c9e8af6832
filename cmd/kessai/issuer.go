package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/kessai/kessai/cmd/kessai/app"
	"github.com/kessai/kessai/issuersim"
	"github.com/kessai/kessai/threeds/acs"
)

func runIssuer(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("issuer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, `Usage: kessai issuer --database DSN [--listen ADDR] [fault flags]

Runs the simulated card company's ISO 8583 host alone until interrupted, for
a gateway started with issuer.address pointing at it. One host process owns
its database: do not point it at the issuer.db of a running "kessai dev".
The fault flags make it misbehave on purpose, for drills.`)
		fs.PrintDefaults()
	}
	listen := fs.String("listen", "127.0.0.1:8583", `ISO 8583 listen address (":0" picks a free port)`)
	database := fs.String("database", "", "the issuer's own database: sqlite:PATH or postgres://… (required)")
	logFormat := fs.String("log", "text", "log format: text or json")
	var f issuersim.Faults
	fs.DurationVar(&f.Latency, "latency", 0, "fault: delay before processing each request")
	fs.Float64Var(&f.DropShare, "drop", 0, "fault: share (0 to 1) of requests processed but not answered")
	fs.Float64Var(&f.DisconnectShare, "disconnect", 0, "fault: share of requests processed, then the connection closed instead of answered")
	fs.Float64Var(&f.DeclineShare, "decline-share", 0, "fault: share of requests answered with --decline-code without being processed (an outage)")
	fs.StringVar(&f.DeclineCode, "decline-code", "96", "fault: the outage answer: 91 (issuer inoperative) or 96 (system malfunction)")
	acsKey := fs.String("acs-key", "", "the card company's ACS CAVV key file (DATA/acs-cavv.key of kessai acs): authorizations carrying 3-D Secure data are checked against it; empty: not checked")
	mtis := fs.String("fault-mti", "", "fault: comma-separated request types disturbed (0100,0200,0220,0400); default every financial request")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *database == "" {
		fs.Usage()
		return &exitError{2, errors.New("issuer needs --database DSN")}
	}
	if err := checkFaults(&f, *mtis); err != nil {
		return err
	}
	if path, ok := sqlitePath(*database); ok {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return fmt.Errorf("issuer database directory: %w", err)
		}
	}
	log := app.NewLogger(stderr, *logFormat, slog.LevelInfo)
	cfg := issuersim.Config{DSN: *database, Faults: f, Logger: log}
	if *acsKey != "" {
		key, err := acs.LoadOrCreateKey(*acsKey)
		if err != nil {
			return err
		}
		cfg.VerifyCAVV = acs.Verifier(key)
	}
	s, err := issuersim.New(cfg)
	if err != nil {
		return err
	}
	if err := s.Start(ctx, *listen); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "issuer host listening on %s\n", s.Addr())
	if desc := describeFaults(f); desc != "" {
		fmt.Fprintf(stdout, "faults: %s\n", desc)
	}
	<-ctx.Done()
	fmt.Fprintln(stdout, "shutting down")
	return s.Close()
}

// checkFaults validates the fault flags and sets the request types.
func checkFaults(f *issuersim.Faults, mtis string) error {
	for name, share := range map[string]float64{"drop": f.DropShare, "disconnect": f.DisconnectShare, "decline-share": f.DeclineShare} {
		if share < 0 || share > 1 {
			return fmt.Errorf("--%s must be between 0 and 1", name)
		}
	}
	if f.Latency < 0 {
		return errors.New("--latency must not be negative")
	}
	if len(f.DeclineCode) != 2 {
		return errors.New("--decline-code must be a 2-character response code such as 91 or 96")
	}
	if mtis != "" {
		for _, m := range strings.Split(mtis, ",") {
			m = strings.TrimSpace(m)
			if len(m) != 4 || strings.Trim(m, "0123456789") != "" {
				return fmt.Errorf("--fault-mti: %q is not a message type such as 0100", m)
			}
			f.MTIs = append(f.MTIs, m)
		}
	}
	return nil
}

// describeFaults returns the faults in effect in words, "" for none.
func describeFaults(f issuersim.Faults) string {
	var parts []string
	if f.Latency > 0 {
		parts = append(parts, fmt.Sprintf("latency %s", f.Latency))
	}
	if f.DropShare > 0 {
		parts = append(parts, fmt.Sprintf("drop %g", f.DropShare))
	}
	if f.DisconnectShare > 0 {
		parts = append(parts, fmt.Sprintf("disconnect %g", f.DisconnectShare))
	}
	if f.DeclineShare > 0 {
		parts = append(parts, fmt.Sprintf("decline %g with %s", f.DeclineShare, f.DeclineCode))
	}
	if len(parts) > 0 && len(f.MTIs) > 0 {
		parts = append(parts, "on "+strings.Join(f.MTIs, ","))
	}
	return strings.Join(parts, ", ")
}

// sqlitePath returns the file of a SQLite DSN (sqlstore.Open syntax), and
// false for a PostgreSQL one.
func sqlitePath(dsn string) (string, bool) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return "", false
	}
	return strings.TrimPrefix(dsn, "sqlite:"), true
}
