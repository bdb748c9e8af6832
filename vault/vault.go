package vault

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/sqlstore"
	"github.com/kessai/kessai/vault/kek"
	"github.com/tink-crypto/tink-go/v2/prf"
)

// Defaults of [Config].
const (
	// DefaultTokenLifetime is how long a token can be used, and so the
	// longest a security code is kept: long enough for a checkout with a
	// 3-D Secure challenge, short enough to bound what the vault holds.
	DefaultTokenLifetime = 30 * time.Minute
	// DefaultRefreshInterval is how often [Vault.Run] checks whether
	// another node rotated the keyset.
	DefaultRefreshInterval = 5 * time.Second
	// DefaultSweepInterval is how often [Vault.Run] destroys the security
	// codes of expired tokens.
	DefaultSweepInterval = time.Minute
)

// Config is what a [Vault] needs.
type Config struct {
	// DB is the gateway database, migrated (it holds vault_keysets, cards
	// and tokens). Required.
	DB *sqlstore.DB
	// KEK wraps the keysets. Required; see package kek.
	KEK kek.KEK
	// Logger receives the vault's log lines, which never hold card data.
	// Nil means slog.Default().
	Logger *slog.Logger
	// TokenLifetime is how long a new token stays usable; 0 means
	// DefaultTokenLifetime.
	TokenLifetime time.Duration
	// RefreshInterval is how often Run checks for a keyset rotated
	// elsewhere, and so how long Rotate waits before its final pass;
	// 0 means DefaultRefreshInterval.
	RefreshInterval time.Duration
	// SweepInterval is how often Run calls Sweep; 0 means
	// DefaultSweepInterval.
	SweepInterval time.Duration
}

// Vault stores cards encrypted and hands out tokens. It is safe for
// concurrent use; several Vaults (nodes) may share one database.
type Vault struct {
	db       *sqlstore.DB
	kek      kek.KEK
	log      *slog.Logger
	lifetime time.Duration
	refresh  time.Duration
	sweep    time.Duration

	data     atomic.Pointer[dataKeys]
	reloadMu sync.Mutex // serializes keyset reloads
	rotateMu sync.Mutex // one rotation at a time in this process
	fp       *prf.Set
}

var _ kessai.TokenService = (*Vault)(nil)

// Open returns a Vault on cfg.DB. It loads the card-data and fingerprint
// keysets, creating and storing them on the first start, and builds their
// tink primitives. Fails when a keyset cannot be decrypted with cfg.KEK
// (the wrong key-encryption key), or when the database fails.
func Open(ctx context.Context, cfg Config) (*Vault, error) {
	if cfg.DB == nil || cfg.KEK == nil {
		return nil, errors.New("vault: Config.DB and Config.KEK are required")
	}
	v := &Vault{
		db:       cfg.DB,
		kek:      cfg.KEK,
		log:      cfg.Logger,
		lifetime: cfg.TokenLifetime,
		refresh:  cfg.RefreshInterval,
		sweep:    cfg.SweepInterval,
	}
	if v.log == nil {
		v.log = slog.Default()
	}
	if v.lifetime <= 0 {
		v.lifetime = DefaultTokenLifetime
	}
	if v.refresh <= 0 {
		v.refresh = DefaultRefreshInterval
	}
	if v.sweep <= 0 {
		v.sweep = DefaultSweepInterval
	}
	if err := v.loadFingerprint(ctx); err != nil {
		return nil, err
	}
	if err := v.loadData(ctx); err != nil {
		return nil, err
	}
	return v, nil
}

// TokenLifetime returns how long new tokens stay usable.
func (v *Vault) TokenLifetime() time.Duration { return v.lifetime }

// Run does the vault's periodic work until ctx ends: every refresh interval
// it reloads the card-data keyset if another node rotated it, and every
// sweep interval it calls [Vault.Sweep]. Failures are logged and retried at
// the next tick. Returns ctx's error.
func (v *Vault) Run(ctx context.Context) error {
	refresh := time.NewTicker(v.refresh)
	defer refresh.Stop()
	sweep := time.NewTicker(v.sweep)
	defer sweep.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-refresh.C:
			if err := v.Refresh(ctx); err != nil && ctx.Err() == nil {
				v.log.Error("vault: refresh keyset", "err", err)
			}
		case <-sweep.C:
			n, err := v.Sweep(ctx)
			if err != nil && ctx.Err() == nil {
				v.log.Error("vault: sweep security codes", "err", err)
			} else if n > 0 {
				v.log.Debug("vault: destroyed expired security codes", "count", n)
			}
		}
	}
}
