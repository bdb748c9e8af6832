package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/kessai/kessai/cmd/kessai/app"
	"github.com/kessai/kessai/sqlstore"
)

// dbFlags are the flags of the admin commands that open the database: a
// dev data directory or a serve config file.
type dbFlags struct {
	data   string
	config string
}

func (f *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", "./kessai-data", "dev data directory")
	fs.StringVar(&f.config, "config", "", "serve config file (overrides --data)")
}

// config returns the configuration the flags name.
func (f *dbFlags) load() (*app.Config, error) {
	if f.config != "" {
		return app.LoadConfig(f.config)
	}
	return devConfig(f.data), nil
}

// open opens and migrates the gateway database the flags name.
func (f *dbFlags) open(ctx context.Context) (*sqlstore.DB, *app.Config, error) {
	cfg, err := f.load()
	if err != nil {
		return nil, nil, err
	}
	db, err := app.OpenDB(ctx, cfg.Database)
	if err != nil {
		return nil, nil, err
	}
	return db, cfg, nil
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f dbFlags
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, cfg, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stdout, "migrated %s database %s\n", db.Dialect, app.RedactDSN(cfg.Database))
	return nil
}

// devConfig returns the dev-mode configuration rooted at a data directory.
func devConfig(data string) *app.Config {
	return &app.Config{
		Dev:      true,
		DataDir:  data,
		Database: "sqlite:" + filepath.Join(data, "kessai.db"),
		KEK:      "file:" + filepath.Join(data, "kek.key"),
		Issuer: app.IssuerConfig{
			Run:      true,
			Database: "sqlite:" + filepath.Join(data, "issuer.db"),
		},
		LogFormat: "text",
	}
}
