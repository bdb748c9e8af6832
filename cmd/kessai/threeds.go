package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/kessai/kessai/devpki"
)

// threeDSPKI returns the dev CA of a 3-D Secure component's data
// directory (DIR/pki, shared by the components of one machine) with the
// component's server and client certificates, and a client that presents
// the latter and trusts only the CA.
func threeDSPKI(dir, name string) (*devpki.CA, *devpki.Leaf, *http.Client, error) {
	ca, err := devpki.EnsureCA(filepath.Join(dir, "pki"))
	if err != nil {
		return nil, nil, nil, err
	}
	srv, err := ca.ServerCert(name + "-server")
	if err != nil {
		return nil, nil, nil, err
	}
	cl, err := ca.ClientCert(name+"-client", "kessai-"+name)
	if err != nil {
		return nil, nil, nil, err
	}
	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: devpki.ClientTLSConfig(ca.CertPool(), cl.Certificate), ForceAttemptHTTP2: true, MaxIdleConnsPerHost: 64},
	}
	return ca, srv, client, nil
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
