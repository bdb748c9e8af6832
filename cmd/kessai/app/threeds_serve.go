package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kessai/kessai/devpki"
	"github.com/kessai/kessai/threeds/server"
)

// remote reports whether a Directory Server elsewhere is configured (any
// of its fields set): then 3-D Secure runs in serve mode too, and
// [ThreeDSConfig.validate] insists on the rest.
func (c *ThreeDSConfig) remote() bool {
	return c.DSURL != "" || c.ClientCertFile != "" || c.ClientKeyFile != "" || c.CAFile != "" ||
		c.ResultsURL != "" || c.ResultsCertFile != "" || c.ResultsKeyFile != "" || c.ServerRefNumber != ""
}

// validate checks the settings of a DS elsewhere, when there is one.
// Fails, naming every missing or malformed field, when they are
// incomplete: a half-configured 3-D Secure must not start and leave
// charges unauthenticated.
func (c *ThreeDSConfig) validate(cfg *Config) error {
	if c.Off || !c.remote() {
		return nil
	}
	var missing []string
	for _, f := range []struct{ name, v string }{
		{"ds_url", c.DSURL}, {"client_cert_file", c.ClientCertFile}, {"client_key_file", c.ClientKeyFile},
		{"ca_file", c.CAFile}, {"listen", c.Listen}, {"server_ref_number", c.ServerRefNumber},
	} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if (c.ResultsCertFile == "") != (c.ResultsKeyFile == "") {
		missing = append(missing, "results_cert_file and results_key_file (both or neither)")
	} else if c.ResultsCertFile == "" && (cfg.TLSCertFile == "" || cfg.TLSKeyFile == "") {
		missing = append(missing, "results_cert_file and results_key_file (or tls_cert_file and tls_key_file)")
	}
	if len(missing) > 0 {
		return fmt.Errorf("config: three_d_secure is incomplete for a Directory Server elsewhere: missing %s", strings.Join(missing, ", "))
	}
	if !isHTTPSURL(c.DSURL) {
		return fmt.Errorf("config: three_d_secure.ds_url must be an https URL, not %q", c.DSURL)
	}
	if c.ResultsURL != "" && !isHTTPSURL(c.ResultsURL) {
		return fmt.Errorf("config: three_d_secure.results_url must be an https URL, not %q", c.ResultsURL)
	}
	if c.ResultsURL == "" {
		host, _, err := net.SplitHostPort(c.Listen)
		if ip := net.ParseIP(host); err != nil || host == "" || ip != nil && ip.IsUnspecified() {
			return fmt.Errorf("config: three_d_secure.results_url is required: the listen address %q does not say how the DS reaches it", c.Listen)
		}
	}
	if cfg.PublicURL != "" && !isHTTPSURL(cfg.PublicURL) || cfg.PublicURL == "" && cfg.HTTPS == "" {
		return errors.New("config: three_d_secure needs an https public_url or listen_https: the ACS posts the result to the gateway's https pages")
	}
	return nil
}

// isHTTPSURL reports whether s is an absolute https URL with a host.
func isHTTPSURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != ""
}

// startRemoteThreeDS builds the 3DS Server against the configured DS and
// serves its results endpoint on its own listener, which requires a client
// certificate signed by ca_file (the DS's). Fails when a certificate, key
// or CA file cannot be read or the listener cannot be opened.
func (a *App) startRemoteThreeDS(ctx context.Context) error {
	c := a.Config.ThreeDS
	pool, err := devpki.LoadCertPool(c.CAFile)
	if err != nil {
		return fmt.Errorf("three_d_secure.ca_file: %w", err)
	}
	clientCert, err := tls.LoadX509KeyPair(c.ClientCertFile, c.ClientKeyFile)
	if err != nil {
		return fmt.Errorf("three_d_secure.client_cert_file: %w", err)
	}
	certFile, keyFile := c.ResultsCertFile, c.ResultsKeyFile
	if certFile == "" {
		certFile, keyFile = a.Config.TLSCertFile, a.Config.TLSKeyFile
	}
	serverCert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return fmt.Errorf("three_d_secure results certificate: %w", err)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", c.Listen)
	if err != nil {
		return fmt.Errorf("listen 3-D Secure results: %w", err)
	}
	results := c.ResultsURL
	if results == "" {
		results = "https://" + ln.Addr().String() + "/3ds/results"
	}
	client := &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{
		TLSClientConfig: devpki.ClientTLSConfig(pool, clientCert), MaxIdleConnsPerHost: 64,
		IdleConnTimeout: 90 * time.Second, ForceAttemptHTTP2: true,
	}}
	a.ThreeDS = server.New(server.Config{
		Payments:         a.Payments,
		Directory:        &server.HTTPDirectory{Client: client, AReqURL: c.DSURL, PReqURL: c.DSURL},
		BaseURL:          a.threeDSBaseURL(),
		ResultsURL:       results,
		ServerRefNumber:  c.ServerRefNumber,
		MethodTimeout:    time.Duration(c.MethodTimeout),
		FirstCReqTimeout: time.Duration(c.FirstCReqTimeout),
		ChallengeTimeout: time.Duration(c.ChallengeTimeout),
		Logger:           a.Log.With("component", "3ds-server"),
	})
	mux := http.NewServeMux()
	mux.Handle("/3ds/results", a.ThreeDS.ResultsHandler())
	tc := devpki.ServerTLSConfig(serverCert)
	tc.ClientAuth, tc.ClientCAs = tls.RequireAndVerifyClientCert, pool
	a.serveThreeDS(ln, tc, mux)
	a.Log.Info("3-D Secure against a Directory Server", "ds", c.DSURL, "results", results)
	return nil
}
