package devpki_test

import (
	"crypto/tls"
	"errors"
	"net"
	"testing"

	"github.com/kessai/kessai/devpki"
)

// tlsServer accepts connections on addr with cfg, completes each handshake
// and reports the server side's result on the returned channel.
func tlsServer(t *testing.T, network, addr string, cfg *tls.Config) (string, <-chan serverResult) {
	t.Helper()
	ln, err := tls.Listen(network, addr, cfg)
	if err != nil {
		t.Skipf("listen %s %s: %v", network, addr, err)
	}
	t.Cleanup(func() { ln.Close() })
	results := make(chan serverResult, 1)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			tc := c.(*tls.Conn)
			err = tc.HandshakeContext(t.Context())
			results <- serverResult{state: tc.ConnectionState(), err: err}
			tc.Close()
		}
	}()
	return ln.Addr().String(), results
}

type serverResult struct {
	state tls.ConnectionState
	err   error
}

// handshake dials addr with cfg and returns the client's and the server's
// view of the handshake.
func handshake(t *testing.T, addr string, cfg *tls.Config, results <-chan serverResult) (tls.ConnectionState, error, serverResult) {
	t.Helper()
	var d tls.Dialer
	d.Config = cfg
	c, err := d.DialContext(t.Context(), "tcp", addr)
	var state tls.ConnectionState
	if err == nil {
		state = c.(*tls.Conn).ConnectionState()
		// Read until the server closes, so that the server's handshake
		// result (which in TLS 1.3 includes the client certificate) is in.
		c.Read(make([]byte, 1))
		c.Close()
	}
	return state, err, <-results
}

func TestServerTLSConfig(t *testing.T) {
	ca := mustEnsureCA(t, t.TempDir())
	leaf := mustServerCert(t, ca, "server")
	cfg := devpki.ServerTLSConfig(leaf.Certificate)
	addr, results := tlsServer(t, "tcp", "127.0.0.1:0", cfg)

	client := func(minV, maxV uint16, suites ...uint16) *tls.Config {
		c := devpki.ClientTLSConfig(ca.CertPool())
		c.MinVersion, c.MaxVersion = minV, maxV
		if suites != nil {
			c.CipherSuites = suites
		}
		return c
	}

	accepted := []struct {
		name    string
		cfg     *tls.Config
		version uint16
	}{
		{"TLS12", client(tls.VersionTLS12, tls.VersionTLS12), tls.VersionTLS12},
		{"TLS13", client(tls.VersionTLS13, tls.VersionTLS13), tls.VersionTLS13},
		{"Default", devpki.ClientTLSConfig(ca.CertPool()), tls.VersionTLS13},
		{"TLS12ChaCha", client(tls.VersionTLS12, tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256), tls.VersionTLS12},
	}
	for _, tt := range accepted {
		t.Run(tt.name, func(t *testing.T) {
			state, err, srv := handshake(t, addr, tt.cfg, results)
			if err != nil || srv.err != nil {
				t.Fatalf("handshake: client %v, server %v", err, srv.err)
			}
			if state.Version != tt.version {
				t.Errorf("version = %s, want %s", tls.VersionName(state.Version), tls.VersionName(tt.version))
			}
			if state.Version == tls.VersionTLS12 && !isAllowedSuite(state.CipherSuite) {
				t.Errorf("suite %s is not an allowed suite", tls.CipherSuiteName(state.CipherSuite))
			}
		})
	}

	refused := []struct {
		name string
		cfg  *tls.Config
	}{
		{"TLS10", client(tls.VersionTLS10, tls.VersionTLS10)},
		{"TLS11", client(tls.VersionTLS11, tls.VersionTLS11)},
		{"CBC", client(tls.VersionTLS12, tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA)},
		{"CBCSHA256", client(tls.VersionTLS12, tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256)},
		{"StaticRSA", client(tls.VersionTLS12, tls.VersionTLS12, tls.TLS_RSA_WITH_AES_128_GCM_SHA256)},
		{"3DES", client(tls.VersionTLS12, tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA)},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			_, err, srv := handshake(t, addr, tt.cfg, results)
			if err == nil {
				t.Error("client handshake succeeded")
			}
			// The server, not the client, must be the one that refuses.
			if srv.err == nil {
				t.Error("server accepted the handshake")
			}
			var op *net.OpError
			if !errors.As(err, &op) || op.Op != "remote error" {
				t.Errorf("client error %v is not an alert from the server", err)
			}
		})
	}

	t.Run("UntrustedClient", func(t *testing.T) {
		c := devpki.ClientTLSConfig(nil) // system roots do not hold the dev CA
		c.ServerName = "localhost"
		_, err, _ := handshake(t, addr, c, results)
		if err == nil {
			t.Error("a client without the dev CA accepted the certificate")
		}
	})
}

func TestServerTLSConfigIPv6(t *testing.T) {
	ca := mustEnsureCA(t, t.TempDir())
	leaf := mustServerCert(t, ca, "server")
	addr, results := tlsServer(t, "tcp6", "[::1]:0", devpki.ServerTLSConfig(leaf.Certificate))
	_, err, srv := handshake(t, addr, devpki.ClientTLSConfig(ca.CertPool()), results)
	if err != nil || srv.err != nil {
		t.Fatalf("handshake on %s: client %v, server %v", addr, err, srv.err)
	}
}

func isAllowedSuite(id uint16) bool {
	for _, s := range devpki.CipherSuites() {
		if s == id {
			return true
		}
	}
	return false
}

func TestMutualTLSConfig(t *testing.T) {
	ca := mustEnsureCA(t, t.TempDir())
	server := mustServerCert(t, ca, "server")
	addr, results := tlsServer(t, "tcp", "127.0.0.1:0", ca.MutualTLSConfig(server))

	client, err := ca.ClientCert("client", "merchant-app")
	if err != nil {
		t.Fatal(err)
	}
	other := mustEnsureCA(t, t.TempDir())
	stranger, err := other.ClientCert("client", "merchant-app")
	if err != nil {
		t.Fatal(err)
	}
	serverAsClient := mustServerCert(t, ca, "other-server")

	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			cfg := func(certs ...tls.Certificate) *tls.Config {
				c := devpki.ClientTLSConfig(ca.CertPool(), certs...)
				c.MaxVersion = v
				return c
			}
			_, err, srv := handshake(t, addr, cfg(client.Certificate), results)
			if err != nil || srv.err != nil {
				t.Fatalf("handshake with a client certificate: client %v, server %v", err, srv.err)
			}
			if len(srv.state.PeerCertificates) == 0 || srv.state.PeerCertificates[0].Subject.CommonName != "merchant-app" {
				t.Errorf("server did not see the client certificate")
			}
			for name, c := range map[string]*tls.Config{
				"NoCertificate":      cfg(),
				"OtherCA":            cfg(stranger.Certificate),
				"ServerCertAsClient": cfg(serverAsClient.Certificate),
			} {
				_, _, srv := handshake(t, addr, c, results)
				if srv.err == nil {
					t.Errorf("%s: server accepted the client", name)
				}
			}
		})
	}
}
