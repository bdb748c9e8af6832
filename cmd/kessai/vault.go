package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/kessai/kessai/vault"
	"github.com/kessai/kessai/vault/kek"
)

func runVault(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("vault", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: kessai vault rotate [--data DIR | --config FILE]\n\nrotate adds a new primary data key and re-encrypts every stored card\nnumber and security code with it; running servers keep serving.")
		fs.PrintDefaults()
	}
	var f dbFlags
	f.register(fs)
	if len(args) == 0 || args[0] != "rotate" {
		fs.Usage()
		return flag.ErrHelp
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	db, cfg, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	k, err := kek.Open(cfg.KEK)
	if err != nil {
		return err
	}
	v, err := vault.Open(ctx, vault.Config{DB: db, KEK: k})
	if err != nil {
		return err
	}
	return vault.RunRotate(ctx, v, stdout)
}
