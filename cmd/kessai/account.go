package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/sqlstore"
)

func runAccount(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("account", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, `Usage: kessai account create --config FILE --email ADDR [--country JP] [--currency jpy]

Creates a merchant account in the gateway database and prints its id; give
it keys with "kessai keys create --account ID".`)
		fs.PrintDefaults()
	}
	var f dbFlags
	f.register(fs)
	email := fs.String("email", "", "the merchant's email address (required)")
	country := fs.String("country", "JP", "ISO 3166-1 alpha-2 country")
	currency := fs.String("currency", "jpy", "default currency (ISO 4217)")
	if len(args) == 0 || args[0] != "create" {
		fs.Usage()
		return &exitError{2, errors.New("account needs the action create")}
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *email == "" {
		fs.Usage()
		return &exitError{2, errors.New("account create needs --email")}
	}
	db, _, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	a := &kessai.Account{Email: *email, Country: *country, Currency: *currency}
	if err := (&sqlstore.AccountService{DB: db}).CreateAccount(ctx, a); err != nil {
		return err
	}
	fmt.Fprintln(stdout, a.ID)
	return nil
}
