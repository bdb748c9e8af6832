package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/sqlstore"
)

func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keys", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: kessai keys list|create|roll --account acct_… [--kind public|secret] [--live] [--grace 24h]")
		fs.PrintDefaults()
	}
	var f dbFlags
	f.register(fs)
	account := fs.String("account", "", "account id (default: the only account)")
	kind := fs.String("kind", "secret", "key kind: public or secret")
	live := fs.Bool("live", false, "live mode instead of test mode")
	grace := fs.Duration("grace", 24*time.Hour, "roll: how long older keys stay valid")
	if len(args) == 0 {
		fs.Usage()
		return flag.ErrHelp
	}
	action := args[0]
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	db, _, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	accounts := &sqlstore.AccountService{DB: db}
	acct := *account
	if acct == "" {
		if acct, err = onlyAccount(ctx, db); err != nil {
			return err
		}
	}
	switch action {
	case "list":
		keys, err := accounts.ListKeys(ctx, acct)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tKIND\tMODE\tKEY\tCREATED\tEXPIRES")
		for _, k := range keys {
			mode, exp := "test", "never"
			if k.Livemode {
				mode = "live"
			}
			if k.ExpiresAt != nil {
				exp = k.ExpiresAt.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Kind, mode, k.Hint, k.CreatedAt.Format(time.RFC3339), exp)
		}
		return tw.Flush()
	case "create", "roll":
		var k *kessai.APIKey
		if action == "create" {
			k, err = accounts.CreateKey(ctx, acct, kessai.KeyKind(*kind), *live, "")
		} else {
			k, err = accounts.RollKey(ctx, acct, kessai.KeyKind(*kind), *live, *grace)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", k.Key.Reveal())
		if action == "roll" {
			fmt.Fprintf(stderr, "older %s keys stay valid for %s\n", *kind, *grace)
		}
		return nil
	}
	fs.Usage()
	return fmt.Errorf("unknown keys action %q", action)
}

// onlyAccount returns the id of the database's single account, or fails
// when there are none or several.
func onlyAccount(ctx context.Context, db *sqlstore.DB) (string, error) {
	rows, err := db.QueryContext(ctx, `SELECT id FROM accounts ORDER BY created_at LIMIT 2`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return "", err
		}
		ids = append(ids, id)
	}
	switch len(ids) {
	case 0:
		return "", errors.New("no account yet: run kessai dev once, or pass --account")
	case 1:
		return ids[0], nil
	}
	return "", errors.New("several accounts: pass --account")
}
