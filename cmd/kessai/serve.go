package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/kessai/kessai/cmd/kessai/app"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "", "config file (JSON; see docs/operations.md)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *config == "" {
		fs.Usage()
		return errors.New("serve needs --config FILE")
	}
	cfg, err := app.LoadConfig(*config)
	if err != nil {
		return err
	}
	if cfg.LogFormat == "" {
		cfg.LogFormat = "json"
	}
	log := app.NewLogger(stderr, cfg.LogFormat, slog.LevelInfo)
	a, err := app.Start(ctx, cfg, log)
	if err != nil {
		return err
	}
	log.Info("kessai serving", "http", a.HTTPURL(), "https", a.HTTPSURL(), "database", app.RedactDSN(cfg.Database))
	<-ctx.Done()
	log.Info("shutting down")
	if err := a.Close(); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
