package main

import (
	"context"
	"errors"
	"io"
)

func runIssuer(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("issuer: not wired yet")
}
