package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/kessai/kessai/devpki"
	"github.com/kessai/kessai/issuersim"
	"github.com/kessai/kessai/payment"
	"github.com/kessai/kessai/threeds"
	"github.com/kessai/kessai/threeds/acs"
	"github.com/kessai/kessai/threeds/ds"
	"github.com/kessai/kessai/threeds/server"
)

// ThreeDSConfig configures 3-D Secure. In dev mode the platform runs the
// 3DS Server and a simulated Directory Server and issuer ACS, which talk
// over HTTPS with mutual TLS from the local CA. With DSURL (serve mode),
// it runs the 3DS Server only, against a Directory Server elsewhere
// (threeds_serve.go); the fields from DSURL on are all required then,
// except where a default is named.
type ThreeDSConfig struct {
	// Off turns 3-D Secure off: charges are never authenticated.
	Off bool `json:"off"`
	// Listen is, in dev mode, the mutual-TLS listener of the DS, the ACS
	// and the 3DS Server's results endpoint (default "127.0.0.1:0"); with
	// DSURL, the listener of the results endpoint alone.
	Listen string `json:"listen"`

	// DSURL is the Directory Server's https URL, where AReqs and PReqs
	// go.
	DSURL string `json:"ds_url"`
	// ClientCertFile and ClientKeyFile are the 3DS Server's client
	// certificate and key (PEM) for mutual TLS with the DS.
	ClientCertFile string `json:"client_cert_file"`
	ClientKeyFile  string `json:"client_key_file"`
	// CAFile is the CA bundle (PEM) that signs the DS's server certificate
	// and the DS's client certificate: the only roots trusted on either
	// side of the DS connection.
	CAFile string `json:"ca_file"`
	// ResultsURL is the URL the DS posts RReqs to (threeDSServerURL);
	// default https://LISTEN/3ds/results when Listen names a host.
	ResultsURL string `json:"results_url"`
	// ResultsCertFile and ResultsKeyFile are the server certificate of the
	// results listener; default tls_cert_file and tls_key_file. The DS must
	// trust its issuer.
	ResultsCertFile string `json:"results_cert_file"`
	ResultsKeyFile  string `json:"results_key_file"`
	// ServerRefNumber is the 3DS Server's reference number
	// (threeDSServerRefNumber) as the DS knows it.
	ServerRefNumber string `json:"server_ref_number"`
	// The timers; zero takes the spec's values (10 s, 30 s, 10 min),
	// 10 min for an unopened authorize_uri and a 5 s sweep.
	MethodTimeout    Duration `json:"method_timeout"`
	FirstCReqTimeout Duration `json:"first_creq_timeout"`
	ChallengeTimeout Duration `json:"challenge_timeout"`
	PendingTimeout   Duration `json:"pending_timeout"`
	SweepInterval    Duration `json:"sweep_interval"`
	// MessageRetention is how long the raw EMV 3DS messages are kept
	// (payment.DefaultMessageRetention, 180 days, when zero).
	MessageRetention Duration `json:"message_retention"`
}

// serverRef is the 3DS Server's reference number, which the DS accepts.
const serverRef = "KESSAI-3DSS-1"

// runs reports whether 3-D Secure runs with this configuration: against a
// DS elsewhere when one is configured, else in dev mode with HTTPS (EMV
// 3DS needs https pages). Serve mode without a DS has no 3-D Secure.
func (a *App) runsThreeDS() bool {
	c := &a.Config.ThreeDS
	switch {
	case c.Off:
		return false
	case c.remote():
		return true
	}
	return a.Config.Dev && a.Config.HTTPS != ""
}

// threeDSPayments returns the payment service's 3-D Secure settings, or
// nil when 3-D Secure does not run.
func (a *App) threeDSPayments() *payment.ThreeDSConfig {
	c := a.Config.ThreeDS
	if !a.runsThreeDS() {
		return nil
	}
	return &payment.ThreeDSConfig{
		AuthorizeURL:     func(id string) string { return a.ThreeDS.AuthorizeURL(id) },
		NewTransID:       threeds.NewTransID,
		PendingTimeout:   time.Duration(c.PendingTimeout),
		SweepInterval:    time.Duration(c.SweepInterval),
		MessageRetention: time.Duration(c.MessageRetention),
	}
}

// startThreeDS starts the DS and the ACS on their mutual-TLS listener and
// builds the 3DS Server, once the gateway's HTTPS URL is known. The issuer
// host learns to check CAVVs against the ACS.
func (a *App) startThreeDS(ctx context.Context) error {
	c := a.Config.ThreeDS
	if c.Off {
		return nil
	}
	if c.remote() {
		return a.startRemoteThreeDS(ctx)
	}
	if !a.Config.Dev || a.CA == nil || a.httpsURL == "" {
		return nil
	}
	ca := a.CA
	leaf, err := ca.ServerCert("threeds")
	if err != nil {
		return err
	}
	client := func(name, cn string) (*http.Client, error) {
		l, err := ca.ClientCert(name, cn)
		if err != nil {
			return nil, err
		}
		tr := &http.Transport{TLSClientConfig: devpki.ClientTLSConfig(ca.CertPool(), l.Certificate), MaxIdleConnsPerHost: 64,
			IdleConnTimeout: 90 * time.Second, ForceAttemptHTTP2: true}
		return &http.Client{Transport: tr, Timeout: 15 * time.Second}, nil
	}
	serverClient, err := client("threeds-server-client", "kessai-3dss")
	if err != nil {
		return err
	}
	dsClient, err := client("threeds-ds-client", "kessai-ds")
	if err != nil {
		return err
	}
	acsClient, err := client("threeds-acs-client", "kessai-acs")
	if err != nil {
		return err
	}
	addr := c.Listen
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("listen 3-D Secure: %w", err)
	}
	base := "https://" + ln.Addr().String()
	// The card company's CAVV key, kept in the data directory so that
	// CAVVs issued before a restart still verify.
	key, err := acs.LoadOrCreateKey(filepath.Join(a.Config.DataDir, "acs-cavv.key"))
	if err != nil {
		ln.Close()
		return err
	}
	acsSrv, err := acs.New(acs.Config{URL: base + "/acs", Key: key, Client: acsClient, TestMode: true,
		CReqTimeout: time.Duration(c.FirstCReqTimeout), ChallengeTimeout: time.Duration(c.ChallengeTimeout),
		Logger: a.Log.With("component", "acs")})
	if err != nil {
		ln.Close()
		return err
	}
	a.closers = append(a.closers, func() error { acsSrv.Close(); return nil })
	verify := acsSrv.VerifyCAVV
	a.verifyCAVV.Store(&verify)
	var ranges []ds.Range
	for _, r := range acsSrv.CardRanges() {
		ranges = append(ranges, ds.Range{CardRange: r, ACSURL: acsSrv.AReqURL()})
	}
	dsSrv, err := ds.New(ds.Config{URL: base + "/ds", Ranges: ranges, Client: dsClient,
		ServerRefNumbers: []string{serverRef}, Logger: a.Log.With("component", "ds")})
	if err != nil {
		ln.Close()
		return err
	}
	a.ThreeDS = server.New(server.Config{
		Payments:         a.Payments,
		Directory:        &server.HTTPDirectory{Client: serverClient, AReqURL: base + "/ds", PReqURL: base + "/ds"},
		BaseURL:          a.threeDSBaseURL(),
		ResultsURL:       base + "/3ds/results",
		ServerRefNumber:  serverRef,
		MethodTimeout:    time.Duration(c.MethodTimeout),
		FirstCReqTimeout: time.Duration(c.FirstCReqTimeout),
		ChallengeTimeout: time.Duration(c.ChallengeTimeout),
		Logger:           a.Log.With("component", "3ds-server"),
	})
	mux := http.NewServeMux()
	mux.Handle("/ds", dsSrv)
	mux.Handle("/acs/", acsSrv)
	mux.Handle("/3ds/results", requireClientCert(a.ThreeDS.ResultsHandler()))
	// Browsers reach the ACS's pages without a certificate; the DS, the
	// ACS's AReq route and the results endpoint require one.
	tc := devpki.ServerTLSConfig(leaf.Certificate)
	tc.ClientAuth, tc.ClientCAs = tls.VerifyClientCertIfGiven, ca.CertPool()
	a.threeDSURL = base
	a.serveThreeDS(ln, tc, mux)
	return nil
}

// serveThreeDS serves h on ln with tc until the App closes.
func (a *App) serveThreeDS(ln net.Listener, tc *tls.Config, h http.Handler) {
	srv := &http.Server{Handler: h, TLSConfig: tc, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(a.Log.Handler(), slog.LevelDebug)}
	a.servers = append(a.servers, srv)
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		if err := srv.Serve(tls.NewListener(ln, tc)); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.Log.Error("3-D Secure server stopped", "err", err)
		}
	}()
}

// threeDSBaseURL is where browsers reach the 3-D Secure pages: the public
// URL, else the HTTPS listener (the ACS posts the CRes there, and EMV 3DS
// requires an https notificationURL).
func (a *App) threeDSBaseURL() string {
	if a.Config.PublicURL != "" {
		return a.Config.PublicURL
	}
	return a.httpsURL
}

// ThreeDSURL returns the base URL of the DS and ACS listener, "" when
// 3-D Secure does not run.
func (a *App) ThreeDSURL() string { return a.threeDSURL }

// requireClientCert refuses requests without a verified client certificate.
func requireClientCert(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 {
			http.Error(w, "a client certificate is required", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// checkCAVV is the issuer host's 3-D Secure hook: the ACS's check once it
// runs; before that (or without 3-D Secure), ECI and CAVV are accepted as
// sent.
func (a *App) checkCAVV(ctx context.Context, d issuersim.ThreeDSData) string {
	if f := a.verifyCAVV.Load(); f != nil {
		return (*f)(ctx, d)
	}
	return ""
}
