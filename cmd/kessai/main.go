// Command kessai is the Kessai payment platform in one binary.
//
//	kessai dev        run everything on this machine (SQLite, dev keys, test card company)
//	kessai serve      run chosen components with production settings
//	kessai migrate    apply database migrations
//	kessai account    create a merchant account
//	kessai keys       create, list and roll a merchant's API keys
//	kessai vault      vault administration (rotate)
//	kessai issuer     run the simulated card company (ISO 8583 issuer host)
//	kessai acs        run the simulated card company's 3-D Secure ACS
//	kessai ds         run the simulated 3-D Secure Directory Server
//	kessai pki        issue test certificates from the dev CA of kessai ds and acs
//	kessai reconcile  compare the gateway's payments with the card company's ledger
//	kessai bench      load scenarios against a running or self-started instance
//	kessai listen     forward the merchant's events to a local URL, signed
//	kessai fraud      fraud tools: simulate traffic through the API, backtest rules
//	kessai chaos      crash and fault suites against a gateway in a child process
//
// Run "kessai COMMAND -h" for a command's flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"syscall"
)

// command is one subcommand: its name, a one-line summary and its body.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"dev", "run everything locally on SQLite with test keys", runDev},
		{"serve", "run with production settings from a config file", runServe},
		{"migrate", "apply database migrations", runMigrate},
		{"account", "create a merchant account", runAccount},
		{"keys", "create, list and roll API keys", runKeys},
		{"vault", "vault administration: rotate", runVault},
		{"issuer", "run the simulated card company's ISO 8583 host", runIssuer},
		{"acs", "run the simulated card company's 3-D Secure ACS", runACS},
		{"ds", "run the simulated 3-D Secure Directory Server", runDS},
		{"pki", "issue test certificates from the dev CA of kessai ds and acs", runPKI},
		{"reconcile", "compare payments with the card company's ledger", runReconcile},
		{"bench", "run a load scenario (tokens, …)", runBench},
		{"listen", "forward the merchant's events to a local URL, signed", runListen},
		{"fraud", "fraud tools: simulate traffic, backtest rules", runFraud},
		{"chaos", "crash and fault suites: kill the gateway, break its network and database", runChaos},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The heap is small and allocation-heavy (JSON, HTTP, database rows):
	// collecting at 4× the live heap instead of 2× halves the collector's
	// CPU for a few tens of MiB. GOGC in the environment overrides it.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	// KESSAI_CPUPROFILE=FILE writes a CPU profile of the whole run, for the
	// performance notes in docs/benchmarks.md.
	if path := os.Getenv("KESSAI_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			pprof.StartCPUProfile(f)
			defer func() { pprof.StopCPUProfile(); f.Close() }()
		}
	}
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "kessai:", err)
		}
		pprof.StopCPUProfile()
		os.Exit(exitCode(err))
	}
}

// exitError carries an exit status other than 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func exitCode(err error) int {
	if e, ok := errors.AsType[*exitError](err); ok {
		return e.code
	}
	if errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	usage(stderr)
	return &exitError{2, fmt.Errorf("unknown command %q", args[0])}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Kessai: a self-hostable card-payment platform.\n\nUsage: kessai COMMAND [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nStart here: kessai dev")
}
