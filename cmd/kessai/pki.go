package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/kessai/kessai/devpki"
)

func runPKI(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("pki", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, `Usage: kessai pki [--data DIR] server NAME [HOST...]
       kessai pki [--data DIR] client NAME COMMON-NAME

Issues a certificate from the dev CA in DIR/pki (the CA that "kessai ds"
and "kessai acs" use, made on first use) and prints the files of the
certificate, its key and the CA. A server certificate is for HOSTS (DNS
names or IP addresses; default localhost and the loopback addresses), a
client certificate for mutual TLS carries COMMON-NAME. The files are
DIR/pki/NAME.pem and NAME-key.pem; running it again reuses them. For test
set-ups only: production certificates come from the scheme's PKI.`)
		fs.PrintDefaults()
	}
	data := fs.String("data", "./kessai-data", "data directory (dev CA)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) < 2 || rest[0] != "server" && rest[0] != "client" || rest[0] == "client" && len(rest) != 3 {
		fs.Usage()
		return &exitError{2, errors.New("pki needs server NAME [HOST...] or client NAME COMMON-NAME")}
	}
	ca, err := devpki.EnsureCA(filepath.Join(*data, "pki"))
	if err != nil {
		return err
	}
	var leaf *devpki.Leaf
	if rest[0] == "server" {
		leaf, err = ca.ServerCert(rest[1], rest[2:]...)
	} else {
		leaf, err = ca.ClientCert(rest[1], rest[2])
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "cert: %s\nkey: %s\nca: %s\n", leaf.CertFile, leaf.KeyFile, ca.CertFile)
	return nil
}
