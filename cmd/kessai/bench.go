package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/kessai/kessai/bench"
	"github.com/kessai/kessai/cmd/kessai/app"
	"github.com/kessai/kessai/devpki"
)

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, `Usage: kessai bench SCENARIO [flags]

Scenarios: %s

       kessai bench --compare A.json B.json   (per-metric ratios B/A)

Without --url or --data, bench starts its own instance ("kessai dev" in a
temporary directory, in a child process; --database picks PostgreSQL) and
stops it afterwards. Targets must be on loopback.

`, strings.Join(bench.Names(), ", "))
		fs.PrintDefaults()
	}
	if len(args) > 0 && (args[0] == "--compare" || args[0] == "-compare") {
		if len(args) != 3 {
			return errors.New("usage: kessai bench --compare A.json B.json")
		}
		return bench.CompareFiles(stdout, args[1], args[2])
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs.Usage()
		return flag.ErrHelp
	}
	scenarioName := args[0]
	url := fs.String("url", "", "base URL of a running instance (with --public-key, --secret-key)")
	data := fs.String("data", "", "data directory of a running kessai dev (reads credentials.json)")
	pkey := fs.String("public-key", "", "public key for --url")
	skey := fs.String("secret-key", "", "secret key for --url")
	database := fs.String("database", "", "self-started instance: database DSN (default: SQLite in a temp dir); give an empty database, since the instance's new vault key cannot read another's")
	duration := fs.Duration("duration", 10*time.Second, "how long to run")
	requests := fs.Int64("requests", 0, "stop after this many requests (0: no limit)")
	concurrency := fs.Int("concurrency", 32, "workers (closed loop)")
	rate := fs.Float64("rate", 0, "open loop: requests per second (0: closed loop)")
	ceiling := fs.Bool("ceiling", true, "also measure the same client against a trivial server, for the ratio")
	jsonOut := fs.String("json", "", "write the result as JSON to this file")
	screening := fs.Bool("fraud", true, "self-started instance: screen charges for fraud (false: kessai dev --fraud=false)")
	fs.StringVar(url, "target", "", "same as --url")
	fs.Int64Var(requests, "count", 0, "same as --requests")
	fs.StringVar(jsonOut, "out", "", "same as --json")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	sc, ok := bench.Lookup(scenarioName)
	if !ok {
		fs.Usage()
		return fmt.Errorf("unknown scenario %q", scenarioName)
	}
	cfg := bench.Config{
		PublicKey: *pkey, SecretKey: *skey, Scenario: sc,
		Concurrency: *concurrency, Rate: *rate, Duration: *duration, Requests: *requests,
		Progress: stderr,
	}
	switch {
	case *url != "":
		cfg.BaseURL = *url
	case *data != "":
		if err := useCredentials(&cfg, filepath.Join(*data, app.CredentialsFile)); err != nil {
			return err
		}
	case scenarioName != "ceiling":
		stop, err := startInstance(ctx, &cfg, *database, !*screening, stderr)
		if err != nil {
			return err
		}
		defer stop()
	}
	res, err := bench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if *ceiling && scenarioName != "ceiling" && ctx.Err() == nil {
		c := cfg
		c.Scenario, c.Progress = bench.Ceiling(), nil
		fmt.Fprintln(stderr, "measuring the ceiling (same client, trivial server)…")
		if res.Ceiling, err = bench.Run(ctx, c); err != nil {
			return err
		}
	}
	if err := res.WriteSummary(stdout); err != nil {
		return err
	}
	if *jsonOut != "" {
		return res.WriteFile(*jsonOut)
	}
	return nil
}

// useCredentials points cfg at the instance a credentials.json describes.
func useCredentials(cfg *bench.Config, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var c app.Credentials
	if err := json.Unmarshal(b, &c); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	cfg.BaseURL, cfg.PublicKey, cfg.SecretKey = c.APIURL, c.PublicKey, c.SecretKey
	if c.CAFile != "" && strings.HasPrefix(c.APIURL, "https:") {
		pool, err := devpki.LoadCertPool(c.CAFile)
		if err != nil {
			return err
		}
		cfg.TLSConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return nil
}

// startInstance runs "kessai dev" in a child process on free loopback ports
// and a temporary data directory, waits until it has written its
// credentials, and points cfg at it. The returned func stops it.
func startInstance(ctx context.Context, cfg *bench.Config, database string, noFraud bool, stderr io.Writer) (func(), error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "kessai-bench-")
	if err != nil {
		return nil, err
	}
	args := []string{"dev", "--data", dir, "--http", "127.0.0.1:0", "--https", "127.0.0.1:0", "--iso8583", "127.0.0.1:0"}
	if database != "" {
		args = append(args, "--database", database)
	}
	if noFraud {
		args = append(args, "--fraud=false")
	}
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, args...)
	cmd.Stdout, cmd.Stderr = io.Discard, logf
	// The instance profiles into FILE.dev, the load generator into FILE.
	if path := os.Getenv("KESSAI_CPUPROFILE"); path != "" {
		cmd.Env = append(os.Environ(), "KESSAI_CPUPROFILE="+path+".dev")
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	stop := func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		logf.Close()
		os.RemoveAll(dir)
	}
	// fail stops the instance but keeps its directory, and returns err with
	// the end of the instance's log.
	fail := func(err error) error {
		cmd.Process.Kill()
		<-exited
		logf.Close()
		b, _ := os.ReadFile(logf.Name())
		if len(b) > 2000 {
			b = b[len(b)-2000:]
		}
		return fmt.Errorf("start instance (its data and log stay in %s): %w\n%s", dir, err, b)
	}
	path := filepath.Join(dir, app.CredentialsFile)
	deadline := time.Now().Add(60 * time.Second)
	for {
		err := useCredentials(cfg, path)
		if err == nil {
			break
		}
		select {
		case <-exited:
			return nil, fail(errors.New("kessai dev exited"))
		default:
		}
		if !errors.Is(err, os.ErrNotExist) || time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fail(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Fprintf(stderr, "started kessai dev at %s (data %s)\n", cfg.BaseURL, dir)
	return stop, nil
}
