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
	"sync"
	"sync/atomic"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/devpki"
	"github.com/kessai/kessai/fraud"
	"github.com/kessai/kessai/httpapi"
	"github.com/kessai/kessai/iso8583link"
	"github.com/kessai/kessai/issuersim"
	"github.com/kessai/kessai/metrics"
	"github.com/kessai/kessai/payment"
	"github.com/kessai/kessai/sqlstore"
	"github.com/kessai/kessai/threeds/acs"
	"github.com/kessai/kessai/threeds/server"
	"github.com/kessai/kessai/vault"
	"github.com/kessai/kessai/vault/kek"
	"github.com/kessai/kessai/web"
	"github.com/kessai/kessai/webhook"
)

// App is a running platform.
type App struct {
	Config   *Config
	Log      *slog.Logger
	DB       *sqlstore.DB
	Accounts *sqlstore.AccountService
	Vault    *vault.Vault
	API      *httpapi.Server
	Payments *payment.Service
	// Issuer is the simulated card company when this process runs it.
	Issuer *issuersim.Server
	// Link is the network link to the card company.
	Link *iso8583link.Link
	// CA is the local CA in dev mode (nil otherwise).
	CA *devpki.CA
	// Webhooks delivers events to merchants' endpoints.
	Webhooks *webhook.Worker
	// Fraud screens charges and token creation.
	Fraud *fraud.Engine
	// Metrics holds the Prometheus metrics served at /metrics.
	Metrics *metrics.Registry
	// ThreeDS is the 3DS Server (nil when 3-D Secure does not run).
	ThreeDS *server.Server

	threeDSURL string
	// verifyCAVV is the ACS's CAVV check, which the issuer host calls.
	verifyCAVV atomic.Pointer[func(context.Context, issuersim.ThreeDSData) string]

	creds    *Credentials
	handler  http.Handler
	servers  []*http.Server
	httpURL  string
	httpsURL string
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	closers  []func() error
	closed   sync.Once
}

// Start opens every part the configuration names, starts the listeners and
// the background workers, and returns once the platform serves. Fails, with
// everything it opened closed again, when any part cannot start.
func Start(ctx context.Context, cfg *Config, log *slog.Logger) (_ *App, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	bg, cancel := context.WithCancel(context.Background())
	a := &App{Config: cfg, Log: log, cancel: cancel}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if a.DB, err = OpenDB(ctx, cfg.Database); err != nil {
		return nil, err
	}
	a.closers = append(a.closers, a.DB.Close)
	a.startMetrics()
	a.Accounts = &sqlstore.AccountService{DB: a.DB}

	k, err := kek.Open(cfg.KEK)
	if err != nil {
		return nil, err
	}
	if a.Vault, err = vault.Open(ctx, vault.Config{DB: a.DB, KEK: k, Logger: log}); err != nil {
		return nil, err
	}
	// Webhook signing secrets are sealed at rest under the vault's keys.
	a.Accounts.Sealer = a.Vault
	a.goBackground(bg, "vault", a.Vault.Run)

	if err := a.startNetwork(ctx); err != nil {
		return nil, err
	}
	// The fraud engine screens every charge and guards token creation;
	// its rule counters are flushed to the database every 5 s.
	ipTable, err := LoadIPTable(cfg.Fraud.IPTableFile)
	if err != nil {
		return nil, err
	}
	counters, err := a.fraudCounters(ctx, cfg.Fraud.RedisURL, cfg.Fraud.RedisPrefix)
	if err != nil {
		return nil, err
	}
	a.Fraud = fraud.New(fraud.Config{Store: a.DB, Counters: counters, Logger: log.With("component", "fraud"), IPTable: ipTable,
		Now: cfg.Fraud.Now, Sleep: cfg.Fraud.Sleep})
	var screener kessai.FraudScreener
	var tokenGuard func(context.Context, string, *kessai.Auth) error
	if !cfg.Fraud.Disabled {
		screener, tokenGuard = a.Fraud, a.Fraud.AllowToken
	}
	a.goBackground(bg, "fraud", func(ctx context.Context) error {
		a.Fraud.Run(ctx, 5*time.Second)
		return nil
	})
	a.Payments = payment.New(payment.Config{
		DB:       a.DB,
		Vault:    a.Vault,
		Link:     a.Link,
		Accounts: a.Accounts,
		Records:  a.DB,
		Logger:   log,
		Fraud:    screener,
		ThreeDS:  a.threeDSPayments(),
	})
	// Settle what a crash left in flight before taking new work. On several
	// nodes the periodic pass in Run does this for operations old enough
	// that no live node can still be waiting on them.
	if n, err := a.Payments.Recover(ctx, time.Now()); err != nil {
		return nil, fmt.Errorf("recover in-flight payments: %w", err)
	} else if n > 0 {
		log.Warn("settled payments a previous run left in flight", "count", n)
	}
	a.goBackground(bg, "payments", a.Payments.Run)

	bus, err := a.webhookBus(ctx, cfg)
	if err != nil {
		return nil, err
	}
	a.Webhooks = webhook.New(webhook.Config{DB: a.DB, Accounts: a.Accounts, Logger: log.With("component", "webhook"), Bus: bus,
		Observe: a.Metrics.ObserveWebhookAttempt})
	a.goBackground(bg, "webhooks", a.Webhooks.Run)
	httpapi.WebhookURLCheck = webhook.CheckURL

	a.API = httpapi.New(httpapi.Config{
		Accounts:    a.Accounts,
		Tokens:      a.Vault,
		Idempotency: sqlstore.NewIdempotencyStore(a.DB),
		Logger:      log,
		Ping:        a.DB.Ping,
		TrustProxy:  cfg.BehindTLSProxy,
		TokenGuard:  tokenGuard,
		Unavailable: sqlstore.Unavailable,
		Observe:     a.Metrics.ObserveRequest,
		Ready:       a.readyChecks(),
	})
	a.API.AddFraud(a.Fraud.Service())
	a.API.AddReviews(a.Payments)
	a.API.AddPayments(httpapi.Payments{
		Charges:      &metrics.ChargeService{ChargeService: a.Payments, Metrics: a.Metrics},
		Refunds:      a.Payments,
		Customers:    a.Payments,
		Events:       &webhook.Events{EventService: a.Payments, DB: a.DB, Accounts: a.Accounts, Worker: a.Webhooks},
		Transactions: a.Payments,
		Balance:      a.Payments,
		Search:       a.Payments,
		Accounts:     apiAccounts{a.Accounts, a.Payments},
	})
	if err := a.mountMetrics(); err != nil {
		return nil, err
	}
	a.goBackground(bg, "idempotency-sweep", func(ctx context.Context) error {
		a.API.SweepIdempotencyKeys(ctx, time.Hour)
		return nil
	})
	if !cfg.Dev && !cfg.ThreeDS.Off && !cfg.ThreeDS.remote() {
		log.Warn("3-D Secure is not configured: charges are not authenticated, whatever the account's setting (set three_d_secure.ds_url, see docs/operations.md)")
	}
	if cfg.Dev {
		if err := a.devSetup(ctx); err != nil {
			return nil, err
		}
	}
	if err := a.listen(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

// apiAccounts is the account service of the API: a change of an account's
// 3-D Secure settings is seen by this node's next charge.
type apiAccounts struct {
	*sqlstore.AccountService
	payments *payment.Service
}

// SetThreeDSecure changes the settings and drops the payment service's
// cached copy of the account.
func (s apiAccounts) SetThreeDSecure(ctx context.Context, accountID string, set kessai.ThreeDSecureSettings) error {
	err := s.AccountService.SetThreeDSecure(ctx, accountID, set)
	s.payments.ForgetAccount(accountID)
	return err
}

// goBackground runs fn until the App closes, logging an unexpected end.
func (a *App) goBackground(ctx context.Context, name string, fn func(context.Context) error) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		if err := fn(ctx); err != nil && ctx.Err() == nil {
			a.Log.Error("background worker stopped", "worker", name, "err", err)
		}
	}()
}

// listen binds the HTTP and HTTPS listeners and starts serving.
func (a *App) listen(ctx context.Context) error {
	cfg := a.Config
	var tlsConfig *tls.Config
	if cfg.HTTPS != "" {
		var cert tls.Certificate
		var err error
		if cfg.Dev {
			if a.CA, err = devpki.EnsureCA(filepath.Join(cfg.DataDir, "ca")); err != nil {
				return err
			}
			leaf, err := a.CA.ServerCert("server")
			if err != nil {
				return err
			}
			cert = leaf.Certificate
		} else if cert, err = tls.LoadX509KeyPair(cfg.TLSCertFile, cfg.TLSKeyFile); err != nil {
			return fmt.Errorf("tls certificate: %w", err)
		}
		tlsConfig = devpki.ServerTLSConfig(cert)
	}
	var lc net.ListenConfig
	var httpLn, httpsLn net.Listener
	var err error
	if cfg.HTTP != "" {
		if httpLn, err = lc.Listen(ctx, "tcp", cfg.HTTP); err != nil {
			return fmt.Errorf("listen http: %w", err)
		}
		a.httpURL = "http://" + httpLn.Addr().String()
	}
	if cfg.HTTPS != "" {
		if httpsLn, err = lc.Listen(ctx, "tcp", cfg.HTTPS); err != nil {
			if httpLn != nil {
				httpLn.Close()
			}
			return fmt.Errorf("listen https: %w", err)
		}
		a.httpsURL = "https://" + httpsLn.Addr().String()
	}
	if err := a.startThreeDS(ctx); err != nil {
		return err
	}
	if err := a.mountWeb(); err != nil {
		return err
	}
	serve := func(ln net.Listener, tc *tls.Config) {
		srv := &http.Server{
			Handler:           a.handler,
			TLSConfig:         tc,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      60 * time.Second,
			IdleTimeout:       120 * time.Second,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelDebug),
		}
		a.servers = append(a.servers, srv)
		if tc != nil {
			ln = tls.NewListener(ln, tc)
		}
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				a.Log.Error("http server stopped", "err", err)
			}
		}()
	}
	if httpLn != nil {
		serve(httpLn, nil)
	}
	if httpsLn != nil {
		serve(httpsLn, tlsConfig)
	}
	return nil
}

// mountWeb puts the browser assets beside the API.
func (a *App) mountWeb() error {
	mux := http.NewServeMux()
	mux.Handle("GET /kessai.js", web.Script())
	if a.Config.Dev {
		ex, err := web.Example(web.ExampleConfig{PublicKey: a.creds.PublicKey})
		if err != nil {
			return err
		}
		mux.Handle(web.ExamplePath, ex)
	}
	if a.ThreeDS != nil {
		mux.Handle("/payments/", a.ThreeDS.Handler())
		mux.Handle("/3ds/", a.ThreeDS.Handler())
	}
	mux.Handle("/", a.API)
	a.handler = secureHeaders(mux, a.Config.BehindTLSProxy)
	return nil
}

// HTTPURL returns the plain-HTTP base URL, or "" when it is off.
func (a *App) HTTPURL() string { return a.httpURL }

// HTTPSURL returns the HTTPS base URL, or "" when it is off.
func (a *App) HTTPSURL() string { return a.httpsURL }

// BaseURL returns the URL clients should use: the public URL if configured,
// else plain HTTP (loopback, dev) if on, else HTTPS.
func (a *App) BaseURL() string {
	switch {
	case a.Config.PublicURL != "":
		return a.Config.PublicURL
	case a.httpURL != "":
		return a.httpURL
	}
	return a.httpsURL
}

// Handler returns the platform's HTTP handler (API and web assets).
func (a *App) Handler() http.Handler { return a.handler }

// Close stops the listeners gracefully, then the workers, then closes the
// databases. It is safe to call more than once.
func (a *App) Close() error {
	var errs []error
	a.closed.Do(func() {
		timeout := time.Duration(a.Config.ShutdownTimeout)
		if timeout <= 0 {
			timeout = 10 * time.Second
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		for _, s := range a.servers {
			errs = append(errs, s.Shutdown(ctx))
		}
		a.cancel()
		a.wg.Wait()
		for i := len(a.closers) - 1; i >= 0; i-- {
			errs = append(errs, a.closers[i]())
		}
	})
	return errors.Join(errs...)
}

// IssuerAddr returns the simulated card company's ISO 8583 address, or ""
// when this process does not run it.
func (a *App) IssuerAddr() string {
	if a.Issuer == nil {
		return ""
	}
	return a.Issuer.Addr()
}

// startNetwork starts the simulated card company when configured, then the
// gateway's link to the card network, and waits (boundedly) for its first
// sign-on so that the first charges do not fail for want of a connection.
func (a *App) startNetwork(ctx context.Context) error {
	ic := a.Config.Issuer
	addr := ic.Address
	if ic.Run {
		if ic.ACSKeyFile != "" {
			key, err := acs.ReadKey(ic.ACSKeyFile)
			if err != nil {
				return fmt.Errorf("issuer.acs_key_file: %w", err)
			}
			verify := acs.Verifier(key)
			a.verifyCAVV.Store(&verify)
		}
		is, err := issuersim.New(issuersim.Config{DSN: ic.Database, Logger: a.Log.With("component", "issuer"),
			VerifyCAVV: a.checkCAVV})
		if err != nil {
			return err
		}
		if err := is.Start(ctx, ic.Listen); err != nil {
			return err
		}
		a.Issuer = is
		a.closers = append(a.closers, is.Close)
		if addr == "" {
			addr = is.Addr()
		}
	}
	if addr == "" {
		return errors.New("config: issuer.address is required when issuer.run is false")
	}
	link, err := iso8583link.New(a.DB, iso8583link.Config{
		Addr:    addr,
		Timeout: time.Duration(ic.Timeout),
		Logger:  a.Log.With("component", "iso8583link"),
		Observe: a.Metrics.ObserveNetworkRequest,
	})
	if err != nil {
		return err
	}
	a.Link = link
	a.closers = append(a.closers, link.Close)
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := link.WaitOnline(wctx); err != nil {
		a.Log.Warn("card network not reachable yet; the link keeps trying", "addr", addr, "err", err)
	}
	return nil
}
