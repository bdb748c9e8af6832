package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// Config is everything the platform needs to start. `kessai dev` fills it
// from flags and a data directory; `kessai serve` reads it from a JSON file.
type Config struct {
	// Dev turns on the dev shortcuts: a test merchant and keys created on
	// first start, a local CA, the example pages, readable logs.
	Dev bool `json:"-"`
	// DataDir holds the SQLite databases, the KEK file and the local CA in
	// dev mode.
	DataDir string `json:"data_dir"`
	// Database is the gateway's DSN: postgres://… or sqlite:PATH.
	Database string `json:"database"`

	// HTTP is a plain-HTTP listen address: in dev mode loopback only; in
	// serve mode only with BehindTLSProxy.
	HTTP string `json:"listen_http"`
	// HTTPS is the HTTPS listen address.
	HTTPS string `json:"listen_https"`
	// TLSCertFile and TLSKeyFile are the server certificate (serve mode);
	// dev mode issues one from its local CA.
	TLSCertFile string `json:"tls_cert_file"`
	TLSKeyFile  string `json:"tls_key_file"`
	// BehindTLSProxy says that a TLS-terminating proxy sits in front, so
	// plain HTTP may be served in serve mode.
	BehindTLSProxy bool `json:"behind_tls_proxy"`
	// PublicURL is the base URL merchants and browsers use (for links such
	// as authorize_uri); empty means derived from the listener.
	PublicURL string `json:"public_url"`

	// KEK names the vault's key-encryption key: "file:PATH" (a local key
	// file, created on first use), "env:NAME" (base64 in an environment
	// variable) or a registered KMS key URI.
	KEK string `json:"kek"`

	// Issuer configures the simulated card company and the network link.
	Issuer IssuerConfig `json:"issuer"`

	// Fraud configures the fraud screening.
	Fraud FraudConfig `json:"fraud"`
	// ThreeDS configures 3-D Secure.
	ThreeDS ThreeDSConfig `json:"three_d_secure"`
	// Webhooks configures webhook delivery (webhook_bus.go).
	Webhooks WebhooksConfig `json:"webhooks"`

	// DevPublicKey and DevSecretKey, in dev mode, are the test keys to use
	// instead of generated ones.
	DevPublicKey string `json:"-"`
	DevSecretKey string `json:"-"`

	// MetricsToken, when set, lets clients that send it as a bearer token
	// read GET /metrics from any address; without it (and always) only
	// loopback clients may.
	MetricsToken string `json:"metrics_token"`

	// LogFormat is "text" or "json".
	LogFormat string `json:"log_format"`
	// ShutdownTimeout bounds a graceful shutdown.
	ShutdownTimeout Duration `json:"shutdown_timeout"`
}

// IssuerConfig says where the card network is, and whether this process
// runs the simulated card company itself.
type IssuerConfig struct {
	// Run starts the simulated issuer host in this process.
	Run bool `json:"run"`
	// Listen is the issuer host's ISO 8583 listen address when Run is set.
	Listen string `json:"listen"`
	// Database is the issuer host's own DSN when Run is set.
	Database string `json:"database"`
	// Address is where the gateway's network link connects; empty means
	// the in-process issuer.
	Address string `json:"address"`
	// Timeout is the per-request timeout of the link.
	Timeout Duration `json:"timeout"`
	// ACSKeyFile, when Run is set, is the card company's ACS CAVV key
	// (DATA/acs-cavv.key of kessai acs): the issuer host checks the CAVV
	// of every authorization carrying 3-D Secure data against it. In dev
	// mode the in-process ACS's key is used; empty in serve mode: not
	// checked.
	ACSKeyFile string `json:"acs_key_file"`
}

// FraudConfig configures the fraud engine (docs/fraud.md).
type FraudConfig struct {
	// Disabled turns charge screening and the token guard off: for
	// throughput comparisons (kessai bench --fraud=false) and emergencies.
	// Rules, lists and stored decisions stay as they are.
	Disabled bool `json:"disabled"`
	// IPTableFile is a file of "CIDR COUNTRY" lines giving ip_country
	// (fraud.ParseIPTable); empty leaves ip_country missing.
	IPTableFile string `json:"ip_table_file"`
	// RedisURL (redis://HOST:PORT/DB) puts the velocity counters in Redis,
	// shared by every gateway node; empty keeps them in process, per node.
	RedisURL string `json:"redis_url"`
	// RedisPrefix starts every counter key in Redis (default
	// "kessai:fraud:"), so that several deployments can share one Redis.
	RedisPrefix string `json:"redis_prefix"`
	// Now and Sleep replace the engine's clock and its wait when it slows
	// token creation down; nil means real time. Only the traffic simulator
	// (kessai fraud simulate) sets them, to replay a day in minutes.
	Now   func() time.Time                           `json:"-"`
	Sleep func(context.Context, time.Duration) error `json:"-"`
}

// Duration is a time.Duration that reads "5s" style strings from JSON.
type Duration time.Duration

// UnmarshalJSON reads a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// LoadConfig reads a JSON config file. Unknown fields are an error, so that
// a typo cannot silently turn a setting off.
func LoadConfig(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return &c, nil
}

// Validate checks the rules that protect production: TLS unless behind a
// TLS proxy, plain HTTP on loopback only in dev mode, a database and a KEK,
// and a complete 3-D Secure configuration when one is begun.
func (c *Config) Validate() error {
	if c.Database == "" {
		return errors.New("config: database is required")
	}
	if c.KEK == "" {
		return errors.New("config: kek is required (file:PATH, env:NAME or a KMS key URI)")
	}
	if c.HTTP == "" && c.HTTPS == "" {
		return errors.New("config: listen_http or listen_https is required")
	}
	if err := c.ThreeDS.validate(c); err != nil {
		return err
	}
	if c.Dev {
		if c.HTTP != "" && !IsLoopback(c.HTTP) {
			return fmt.Errorf("config: plain HTTP is served on loopback only in dev mode, not %s (use --https)", c.HTTP)
		}
		return nil
	}
	if c.HTTPS != "" && (c.TLSCertFile == "" || c.TLSKeyFile == "") {
		return errors.New("config: listen_https needs tls_cert_file and tls_key_file")
	}
	if c.HTTP != "" && !c.BehindTLSProxy {
		return errors.New("config: refusing plain HTTP without TLS; set behind_tls_proxy if a TLS-terminating proxy is in front")
	}
	return nil
}

// IsLoopback reports whether a listen address is on the loopback interface.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
