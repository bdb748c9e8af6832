package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/kessai/kessai/devpki"
)

// pkiFlags are the certificate flags of kessai ds and kessai acs: all
// empty means the dev CA of the data directory; otherwise all five name
// operator-provided PEM files.
type pkiFlags struct {
	cert, key, clientCert, clientKey, ca string
}

func (f *pkiFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.cert, "cert", "", "server certificate file (PEM); with --key, --client-cert, --client-key and --ca instead of the dev CA")
	fs.StringVar(&f.key, "key", "", "server key file (PEM)")
	fs.StringVar(&f.clientCert, "client-cert", "", "client certificate file (PEM) for mutual TLS with the other components")
	fs.StringVar(&f.clientKey, "client-key", "", "client key file (PEM)")
	fs.StringVar(&f.ca, "ca", "", "CA bundle (PEM) trusted for the other components' server and client certificates")
}

// threeDSCerts are a 3-D Secure component's certificates: the CA bundle it
// trusts, its server certificate and a client presenting its client
// certificate.
type threeDSCerts struct {
	caFile string
	pool   *x509.CertPool
	server tls.Certificate
	client *http.Client
}

// mutualTLS returns the server configuration that asks for client
// certificates of the trusted CAs as auth says.
func (c *threeDSCerts) mutualTLS(auth tls.ClientAuthType) *tls.Config {
	cfg := devpki.ServerTLSConfig(c.server)
	cfg.ClientAuth, cfg.ClientCAs = auth, c.pool
	return cfg
}

// threeDSPKI returns a 3-D Secure component's certificates: the files of
// f when given (all five, else it fails), or else the dev CA of the data
// directory (DIR/pki, shared by the components of one machine) with the
// component's server and client certificates, made on first use.
func threeDSPKI(dir, name string, f pkiFlags) (*threeDSCerts, error) {
	c := &threeDSCerts{}
	var clientCert tls.Certificate
	if f != (pkiFlags{}) {
		if f.cert == "" || f.key == "" || f.clientCert == "" || f.clientKey == "" || f.ca == "" {
			return nil, &exitError{2, errors.New(name + ": --cert, --key, --client-cert, --client-key and --ca go together")}
		}
		var err error
		if c.pool, err = devpki.LoadCertPool(f.ca); err != nil {
			return nil, fmt.Errorf("--ca: %w", err)
		}
		if c.server, err = tls.LoadX509KeyPair(f.cert, f.key); err != nil {
			return nil, fmt.Errorf("--cert: %w", err)
		}
		if clientCert, err = tls.LoadX509KeyPair(f.clientCert, f.clientKey); err != nil {
			return nil, fmt.Errorf("--client-cert: %w", err)
		}
		c.caFile = f.ca
	} else {
		ca, err := devpki.EnsureCA(filepath.Join(dir, "pki"))
		if err != nil {
			return nil, err
		}
		srv, err := ca.ServerCert(name + "-server")
		if err != nil {
			return nil, err
		}
		cl, err := ca.ClientCert(name+"-client", "kessai-"+name)
		if err != nil {
			return nil, err
		}
		c.caFile, c.pool, c.server, clientCert = ca.CertFile, ca.CertPool(), srv.Certificate, cl.Certificate
	}
	c.client = &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: devpki.ClientTLSConfig(c.pool, clientCert), ForceAttemptHTTP2: true, MaxIdleConnsPerHost: 64},
	}
	return c, nil
}

// serveTLS serves h on the listener with cfg until ctx ends, then shuts
// down within five seconds.
func serveTLS(ctx context.Context, l net.Listener, cfg *tls.Config, h http.Handler) error {
	s := &http.Server{Handler: h, TLSConfig: cfg, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- s.ServeTLS(l, "", "") }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// listenURL listens on addr and returns the listener and its https URL
// with path, or the public URL when one is given.
func listenURL(addr, public, path string) (net.Listener, string, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", fmt.Errorf("listen %s: %w", addr, err)
	}
	if public != "" {
		return l, public, nil
	}
	return l, "https://" + l.Addr().String() + path, nil
}
