package bench_test

import (
	"io"
	"log"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai/bench"
	"github.com/kessai/kessai/devpki"
)

// TestRunHTTPS runs against a TLS server with a certificate of the
// development CA, as `kessai bench` does against `kessai dev --https`.
func TestRunHTTPS(t *testing.T) {
	ca, err := devpki.EnsureCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.ServerCert("server")
	if err != nil {
		t.Fatal(err)
	}
	s := &tokenServer{}
	srv := httptest.NewUnstartedServer(s)
	srv.TLS = devpki.ServerTLSConfig(leaf.Certificate)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	srv.StartTLS()
	t.Cleanup(srv.Close)

	cfg := bench.Config{BaseURL: srv.URL, PublicKey: pkey, Scenario: bench.Tokens(false), Concurrency: 4, Requests: 40}
	untrusted := mustRun(t, cfg)
	if diff := cmp.Diff(map[string]int64{"tls certificate": 40}, untrusted.ErrorsByKind); diff != "" {
		t.Errorf("without the CA, errors by kind (-want +got):\n%s", diff)
	}
	cfg.TLSConfig = devpki.ClientTLSConfig(ca.CertPool())
	res := mustRun(t, cfg)
	if res.OK != 40 || res.Errors != 0 {
		t.Errorf("with the CA: ok %d, errors %v", res.OK, res.ErrorSamples)
	}
}
