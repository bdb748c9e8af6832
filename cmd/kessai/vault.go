package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/kessai/kessai/sqlstore"
	"github.com/kessai/kessai/vault"
	"github.com/kessai/kessai/vault/kek"
)

func runVault(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("vault", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: kessai vault rotate [--resume] [--data DIR | --config FILE]\n\nrotate adds a new primary data key and re-encrypts every stored card\nnumber and security code with it, then seals the webhook signing secrets\nagain under it; running servers keep serving.\n--resume finishes an interrupted rotation without adding another key.")
		fs.PrintDefaults()
	}
	var f dbFlags
	f.register(fs)
	resume := fs.Bool("resume", false, "finish an interrupted rotation: re-encrypt what is not under the primary key yet")
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
	if *resume {
		err = vault.RunReencrypt(ctx, v, stdout)
	} else {
		err = vault.RunRotate(ctx, v, stdout)
	}
	if err != nil {
		return err
	}
	// The webhook signing secrets are sealed with the same keyset: after
	// them, no stored value needs an older key.
	n, err := (&sqlstore.AccountService{DB: db, Sealer: v}).ResealWebhookSecrets(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Webhook signing secrets sealed again: %d.\n", n)
	return nil
}
