package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/kessai/kessai/cmd/kessai/app"
	"github.com/kessai/kessai/reconcile"
	"github.com/kessai/kessai/sqlstore"
)

func runReconcile(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reconcile", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, `Usage: kessai reconcile [--data DIR | --config FILE] [--wait 30s]

Compares the gateway's charges and refunds with the simulated card company's
ledger of holds and postings and lists every mismatch. Exits with status 1
when there is one. Dev: DIR/kessai.db and DIR/issuer.db; serve: the config's
database and issuer.database. Nothing is written to either database.`)
		fs.PrintDefaults()
	}
	var f dbFlags
	f.register(fs)
	wait := fs.Duration("wait", 0, "first wait up to this long for the link's reversal queue to drain and its requests to settle")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := f.load()
	if err != nil {
		return err
	}
	if cfg.Issuer.Database == "" {
		return errors.New("reconcile needs the issuer's database (issuer.database in the config)")
	}
	gw, err := openExisting(ctx, "gateway", cfg.Database)
	if err != nil {
		return err
	}
	defer gw.Close()
	is, err := openExisting(ctx, "issuer", cfg.Issuer.Database)
	if err != nil {
		return err
	}
	defer is.Close()

	if *wait > 0 {
		wctx, cancel := context.WithTimeout(ctx, *wait)
		err := reconcile.Wait(wctx, gw, 200*time.Millisecond)
		cancel()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			fmt.Fprintf(stderr, "kessai reconcile: not drained after %s (%v); reporting anyway\n", *wait, err)
		}
	}
	r, err := reconcile.Run(ctx, gw, reconcile.IssuerDB(is))
	if err != nil {
		return err
	}
	if err := r.WriteText(stdout); err != nil {
		return err
	}
	if !r.OK() {
		n := len(r.Mismatches)
		what := "mismatches"
		if n == 1 {
			what = "mismatch"
		}
		return &exitError{1, fmt.Errorf("%d %s between the gateway and the issuer", n, what)}
	}
	return nil
}

// openExisting opens a database without migrating it; a SQLite file must
// exist already.
func openExisting(ctx context.Context, what, dsn string) (*sqlstore.DB, error) {
	if path, ok := sqlitePath(dsn); ok {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("no %s database at %s", what, path)
		}
	}
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s database %s: %w", what, app.RedactDSN(dsn), err)
	}
	return db, nil
}
