package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kessai/kessai/chaos"
)

func runChaos(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := func() {
		fmt.Fprintln(stderr, `Usage: kessai chaos crash|fault [flags]

  crash  the mixed load against a gateway killed with SIGKILL at random
         moments (--kills times) and restarted; then drain, reconcile and
         check that every acknowledged charge is as acknowledged, nothing is
         authorized twice and every event was delivered
  fault  the mixed load while the card company is slow, drops answers,
         resets connections and answers 91/96, and while the database goes
         away; checks error objects, no hangs, nothing lost, and recovery

The gateway runs as "kessai dev" in a child process, the card company in
this one. Exit status 1 when a rule was broken.`)
	}
	if len(args) == 0 || (args[0] != "crash" && args[0] != "fault") {
		usage()
		return &exitError{2, errors.New("chaos needs crash or fault")}
	}
	suite := args[0]
	fs := flag.NewFlagSet("chaos "+suite, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { usage(); fs.PrintDefaults() }
	database := fs.String("database", "sqlite", `gateway database: "sqlite" (a file in the run directory) or a PostgreSQL server URL (a fresh database is created on it and dropped afterwards)`)
	dir := fs.String("dir", "", "run directory (databases, gateway data); default a temporary one, removed afterwards")
	seed := fs.Uint64("seed", 0, "crash: seed of the kill moments (0: from the clock); printed in the report")
	workers := fs.Int("workers", 8, "concurrent clients")
	kills := fs.Int("kills", 20, "crash: how many times the gateway is killed")
	minUp := fs.Duration("min-up", 300*time.Millisecond, "crash: shortest time the gateway serves before a kill")
	maxUp := fs.Duration("max-up", 3*time.Second, "crash: longest time the gateway serves before a kill")
	hold := fs.Duration("hold", 3*time.Second, "fault: how long each fault lasts")
	settle := fs.Duration("settle-wait", 4*time.Minute, "how long to wait for operations left in flight to settle by themselves before restarting the gateway to settle them")
	only := fs.String("only", "", `fault: run only these faults, comma-separated (such as "issuer drops answers")`)
	pgBin := fs.String("pg-bin", "", "fault: directory of initdb and pg_ctl for the private PostgreSQL cluster (default: the newest /usr/lib/postgresql/*/bin)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *workers <= 0 || *kills < 0 || *minUp <= 0 || *maxUp < *minUp || *hold <= 0 || *settle <= 0 {
		return &exitError{2, errors.New("chaos: --workers and --hold must be positive, --kills not negative, and --min-up ≤ --max-up")}
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	runDir := *dir
	if runDir == "" {
		if runDir, err = os.MkdirTemp("", "kessai-chaos-"); err != nil {
			return err
		}
		defer os.RemoveAll(runDir)
	}
	gw := chaos.GatewayConfig{Command: []string{exe}, DataDir: filepath.Join(runDir, "gateway")}
	if err := os.MkdirAll(gw.DataDir, 0o700); err != nil {
		return err
	}
	switch {
	case *database == "sqlite":
	case strings.HasPrefix(*database, "postgres://"), strings.HasPrefix(*database, "postgresql://"):
		if suite == "fault" {
			// The fault suite runs its own cluster, to restart it.
			break
		}
		dsn, drop, err := chaos.FreshPostgres(ctx, *database)
		if err != nil {
			return err
		}
		defer drop()
		gw.Database = dsn
	default:
		return &exitError{2, fmt.Errorf("chaos: --database is sqlite or a postgres:// URL, not %q", *database)}
	}
	var rep *chaos.Report
	if suite == "crash" {
		rep, err = chaos.Crash(ctx, chaos.CrashConfig{
			Gateway: gw, Dir: runDir, Kills: *kills, Seed: *seed, Workers: *workers,
			MinUp: *minUp, MaxUp: *maxUp, Progress: stderr, SettleWait: *settle,
		})
	} else {
		rep, err = chaos.Fault(ctx, chaos.FaultConfig{
			Gateway: gw, Dir: runDir, Postgres: *database != "sqlite", PGBin: *pgBin,
			Workers: *workers, Hold: *hold, Progress: stderr, Only: splitList(*only), SettleWait: *settle,
		})
	}
	if err != nil {
		return err
	}
	if err := rep.WriteText(stdout); err != nil {
		return err
	}
	if !rep.OK() {
		return &exitError{1, fmt.Errorf("chaos %s: %d rules broken", suite, len(rep.Violations))}
	}
	return nil
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
