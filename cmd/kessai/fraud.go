package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/card"
	"github.com/kessai/kessai/cmd/kessai/app"
	"github.com/kessai/kessai/fraud"
	"github.com/kessai/kessai/fraud/sim"
	"github.com/kessai/kessai/issuersim"
)

func runFraud(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := func() {
		fmt.Fprintln(stderr, `Usage: kessai fraud simulate [flags]   synthetic traffic with ground truth through the API
       kessai fraud backtest --rules FILE [flags]   replay stored decisions through a rule set`)
	}
	if len(args) == 0 {
		usage()
		return flag.ErrHelp
	}
	switch args[0] {
	case "simulate":
		return runFraudSimulate(ctx, args[1:], stdout, stderr)
	case "backtest":
		return runFraudBacktest(ctx, args[1:], stdout, stderr)
	}
	usage()
	return fmt.Errorf("unknown fraud command %q", args[0])
}

func runFraudSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fraud simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, `Usage: kessai fraud simulate [flags]

Starts its own platform (as kessai dev, in a temporary directory, with the
simulated card company in process), then sends a seeded day of synthetic
traffic through its HTTP API: legitimate shoppers and labelled attacks (card
testing, BIN enumeration, account takeover, geography mismatch). The
platform's fraud clock follows the traffic's time, so the velocity windows
see a day, not the minutes the run takes. Prints, per scenario, how many
attempts the active rules stopped, reviewed or sent to 3-D Secure, with the
precision and the false-positive rate. See docs/fraud.md.`)
		fs.PrintDefaults()
	}
	seed := fs.Uint64("seed", 1, "random seed (the same seed gives the same traffic)")
	customers := fs.Int("customers", 3000, "legitimate shoppers")
	charges := fs.Int("charges", 20000, "legitimate charges (plus retries after declines)")
	ct := fs.Int("card-testing", 6, "card-testing runs")
	be := fs.Int("bin-enumeration", 6, "BIN-enumeration runs")
	ato := fs.Int("account-takeover", 20, "account takeovers")
	geo := fs.Int("geo-mismatch", 60, "geography-mismatch frauds")
	database := fs.String("database", "", "gateway database DSN (default: SQLite in the temporary directory); give an empty database")
	data := fs.String("data", "", "data directory of the platform, kept afterwards (its kessai.db holds the decisions, for kessai fraud backtest --data); default: a temporary directory, removed")
	jsonOut := fs.String("json", "", "write the report as JSON to this file")
	rulesPath := fs.String("rules", "", "file of rules (one a line, # comments) created through the API before the run")
	noDefaults := fs.Bool("no-defaults", false, "disable the built-in rules before the run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var rules []string
	if *rulesPath != "" {
		var err error
		if rules, err = readRules(*rulesPath); err != nil {
			return err
		}
	}
	dir := *data
	if dir == "" {
		tmp, err := os.MkdirTemp("", "kessai-fraudsim-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tablePath := filepath.Join(dir, "ip-table.txt")
	if err := os.WriteFile(tablePath, []byte(sim.IPTable()), 0o600); err != nil {
		return err
	}
	// The traffic's day starts 45 days after the customers are created, so
	// that they are established customers by then.
	start := time.Now().UTC().Add(45 * 24 * time.Hour).Truncate(time.Hour)
	var now atomic.Int64
	now.Store(start.UnixNano())
	cfg := devConfig(dir)
	cfg.HTTP, cfg.HTTPS, cfg.Issuer.Listen = "127.0.0.1:0", "", "127.0.0.1:0"
	if *database != "" {
		cfg.Database = *database
	}
	cfg.Fraud.IPTableFile = tablePath
	cfg.Fraud.Now = func() time.Time { return time.Unix(0, now.Load()).UTC() }
	// Token slow-downs are counted by the guard but not waited out: the
	// run replays a day in minutes.
	cfg.Fraud.Sleep = func(context.Context, time.Duration) error { return nil }
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	a, err := app.Start(ctx, cfg, app.NewLogger(logf, "text", 0))
	if err != nil {
		return err
	}
	defer a.Close()
	creds := a.Credentials()
	simCfg := sim.Config{Seed: *seed, Start: start, Customers: *customers, Charges: *charges,
		CardTesting: *ct, BINEnum: *be, ATO: *ato, Geo: *geo}
	fmt.Fprintf(stderr, "simulating seed %d: %d legitimate charges of %d shoppers and the attacks, through %s\n", *seed, *charges, *customers, a.BaseURL())
	began := time.Now()
	platform := sim.Platform{
		BaseURL: a.BaseURL(), PublicKey: creds.PublicKey, SecretKey: creds.SecretKey,
		SetNow: func(t time.Time) { now.Store(t.UnixNano()) },
		SetCard: func(ctx context.Context, number string, approve bool) error {
			n, err := card.ParseNumber(number)
			if err != nil {
				return err
			}
			spec := issuersim.AccountSpec{Card: n, CreditLimit: issuersim.DefaultLimit}
			if !approve {
				spec.Status = issuersim.Closed
			}
			return a.Issuer.SetAccount(ctx, spec)
		},
	}
	if err := sim.SetRules(ctx, platform, rules, *noDefaults); err != nil {
		return fmt.Errorf("set rules: %w", err)
	}
	rep, err := sim.RunAPI(ctx, simCfg, platform)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, rep)
	fmt.Fprintf(stdout, "(%d attempts through the API in %s)\n", rep.Decisions, time.Since(began).Round(time.Second))
	if *jsonOut != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		return os.WriteFile(*jsonOut, b, 0o600)
	}
	return nil
}

func runFraudBacktest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fraud backtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, `Usage: kessai fraud backtest --rules FILE [--data DIR | --config FILE] [flags]

Replays the stored fraud decisions through the rules of FILE (one rule per
line, "block if …"; blank lines and lines starting with # are skipped) and
reports what would change: decisions per action before and after, the
charges whose decision changes, and the amounts newly blocked. The rules see
each charge's attributes and velocity counts as they were when it was
screened, and the accounts' current block and allow lists. Nothing is written.`)
		fs.PrintDefaults()
	}
	var f dbFlags
	f.register(fs)
	rulesPath := fs.String("rules", "", "file of rules (required)")
	defaults := fs.Bool("with-defaults", false, "evaluate the built-in rules too, before the file's")
	account := fs.String("account", "", "only this account's decisions (default: every account)")
	live := fs.Bool("livemode", false, "live-mode decisions (default: test mode)")
	since := fs.Duration("since", 0, "replay only the decisions of this long before now (0: every stored decision)")
	show := fs.Int("show", 20, "list at most this many changed charges")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rulesPath == "" {
		fs.Usage()
		return errors.New("--rules is required")
	}
	fileRules, err := readRules(*rulesPath)
	if err != nil {
		return err
	}
	var sources []string
	if *defaults {
		for _, d := range fraud.DefaultRules {
			sources = append(sources, d.Rule)
		}
	}
	sources = append(sources, fileRules...)
	cfg, err := f.load()
	if err != nil {
		return err
	}
	db, err := openExisting(ctx, "gateway", cfg.Database)
	if err != nil {
		return err
	}
	defer db.Close()
	ipTable, err := app.LoadIPTable(cfg.Fraud.IPTableFile)
	if err != nil {
		return err
	}
	eng := fraud.New(fraud.Config{Store: db, IPTable: ipTable})
	from, to := time.Unix(0, 0), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	if *since > 0 {
		from = time.Now().Add(-*since)
	}
	rep, err := eng.Backtest(sources, func(yield func(fraud.Stored) bool) error {
		return db.FraudDecisionInputs(ctx, *account, *live, from, to, func(charge, action string, inputs []byte) bool {
			return yield(fraud.Stored{Charge: charge, Action: kessai.FraudAction(action), Inputs: inputs})
		})
	})
	if err != nil {
		return err
	}
	writeBacktest(stdout, rep, len(sources), *show)
	return nil
}

// writeBacktest prints a backtest report.
func writeBacktest(w io.Writer, rep *fraud.BacktestReport, rules, show int) {
	fmt.Fprintf(w, "%d decisions replayed through %d rules (%d stored without inputs, skipped)\n\n", rep.Charges, rules, rep.Skipped)
	fmt.Fprintf(w, "%-12s %8s %8s\n", "action", "stored", "rules")
	for _, a := range []kessai.FraudAction{kessai.FraudAllow, kessai.FraudReview, kessai.FraudBlock} {
		fmt.Fprintf(w, "%-12s %8d %8d\n", a, rep.Before[a], rep.After[a])
	}
	fmt.Fprintf(w, "\n%d decisions change\n", len(rep.Changed))
	for cur, amt := range rep.NewlyBlocked {
		fmt.Fprintf(w, "newly blocked: %d %s (minor units)\n", amt, cur)
	}
	for cur, amt := range rep.Unblocked {
		fmt.Fprintf(w, "no longer blocked: %d %s (minor units)\n", amt, cur)
	}
	for i, c := range rep.Changed {
		if i == show {
			fmt.Fprintf(w, "… and %d more\n", len(rep.Changed)-show)
			break
		}
		fmt.Fprintf(w, "  %s %d %s: %s -> %s  %s\n", c.Charge, c.Amount, c.Currency, c.Before, c.After, c.Rule)
	}
}

// readRules returns the rules of a file: one a line, blank lines and lines
// starting with # skipped.
func readRules(path string) ([]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rules []string
	for _, line := range strings.Split(string(raw), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			rules = append(rules, line)
		}
	}
	return rules, nil
}
