package payment

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/sqlstore"
	"github.com/kessai/kessai/vault"
)

// Vault is what the service needs of the card vault; *vault.Vault
// implements it.
type Vault interface {
	// PeekToken returns a token with its card and the card's BIN,
	// without using it.
	PeekToken(ctx context.Context, auth *kessai.Auth, id string) (*kessai.Token, string, error)
	// UseToken marks a token used in tx and returns it with its card,
	// keeping its security code for a later RevealToken.
	UseToken(tx *sqlstore.Tx, auth *kessai.Auth, id string) (*kessai.Token, error)
	// RevealToken returns a token's card data, destroying its security
	// code in tx.
	RevealToken(tx *sqlstore.Tx, id string) (*vault.CardData, error)
	// SpendToken marks a token used in tx and returns it with its card
	// and the card's data, destroying its security code.
	SpendToken(tx *sqlstore.Tx, auth *kessai.Auth, id string) (*kessai.Token, *vault.CardData, error)
	// RevealCard returns a saved card's data, without security code.
	RevealCard(ctx context.Context, id string) (*vault.CardData, error)
	// SetTokenChargeStatus sets the token's charge_status in tx.
	SetTokenChargeStatus(tx *sqlstore.Tx, id, status string) error
	// AttachCard attaches a card to a customer in tx.
	AttachCard(tx *sqlstore.Tx, auth *kessai.Auth, cardID, customerID string) error
}

var _ Vault = (*vault.Vault)(nil)

// Defaults of [Config].
const (
	DefaultAccountTTL    = 30 * time.Second
	DefaultSweepInterval = time.Minute
	// DefaultRecoverAfter is how long an operation must have been in
	// flight before the periodic recovery pass takes it for lost: longer
	// than any network timeout, so that it never races a live request.
	DefaultRecoverAfter = 2 * time.Minute
)

// Config is what a [Service] needs.
type Config struct {
	// DB is the gateway database, migrated. Required.
	DB *sqlstore.DB
	// Vault holds the cards. Required.
	Vault Vault
	// Link is the card network. Required.
	Link kessai.NetworkLink
	// Accounts finds the merchant accounts. Required.
	Accounts kessai.AccountService
	// Fees prices an account's charges; nil means
	// [kessai.DefaultFeeSchedule] of the account's country.
	Fees func(*kessai.Account) kessai.FeeSchedule
	// Records is the network link's record of its requests, which the
	// recovery pass reads to settle refunds whose outcome was lost; nil
	// leaves such refunds pending.
	Records NetworkRecords
	// Logger receives the service's log lines, which never hold card data.
	// Nil discards them.
	Logger *slog.Logger
	// AccountTTL is how long an account read is reused; 0 means
	// DefaultAccountTTL.
	AccountTTL time.Duration
	// SweepInterval is how often Run expires old authorizations and
	// recovers lost operations; 0 means DefaultSweepInterval.
	SweepInterval time.Duration
	// RecoverAfter is how old an in-flight operation must be for Run's
	// periodic recovery; 0 means DefaultRecoverAfter.
	RecoverAfter time.Duration
	// Fraud screens every charge before its authorization and learns its
	// outcome; nil means no screening (every charge is sent).
	Fraud kessai.FraudScreener
	// ThreeDS turns on 3-D Secure for charges with a return_uri; nil
	// means charges are never authenticated (authentication=3DS is then
	// refused).
	ThreeDS *ThreeDSConfig
}

// Service implements the payment services. It is safe for concurrent use,
// and several Services (gateway nodes) may share one database.
type Service struct {
	db           *sqlstore.DB
	vault        Vault
	link         kessai.NetworkLink
	accounts     kessai.AccountService
	records      NetworkRecords
	fees         func(*kessai.Account) kessai.FeeSchedule
	log          *slog.Logger
	accountTTL   time.Duration
	sweepEvery   time.Duration
	recoverAfter time.Duration
	fraud        kessai.FraudScreener
	threeDS      *ThreeDSConfig

	mu    sync.Mutex
	accts map[string]cachedAccount
}

type cachedAccount struct {
	a  *kessai.Account
	at time.Time
}

var (
	_ kessai.ChargeService      = (*Service)(nil)
	_ kessai.RefundService      = (*Service)(nil)
	_ kessai.CustomerService    = (*Service)(nil)
	_ kessai.EventService       = (*Service)(nil)
	_ kessai.TransactionService = (*Service)(nil)
	_ kessai.BalanceService     = (*Service)(nil)
	_ kessai.SearchService      = (*Service)(nil)
)

// New returns a Service. It panics when a required field of c is nil.
func New(c Config) *Service {
	if c.DB == nil || c.Vault == nil || c.Link == nil || c.Accounts == nil {
		panic("payment: Config.DB, Vault, Link and Accounts are required")
	}
	s := &Service{
		db: c.DB, vault: c.Vault, link: c.Link, accounts: c.Accounts, records: c.Records, fees: c.Fees, log: c.Logger,
		accountTTL: c.AccountTTL, sweepEvery: c.SweepInterval, recoverAfter: c.RecoverAfter,
		fraud: c.Fraud, threeDS: c.ThreeDS,
		accts: map[string]cachedAccount{},
	}
	if s.fees == nil {
		s.fees = func(a *kessai.Account) kessai.FeeSchedule { return kessai.DefaultFeeSchedule(a.Country) }
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.accountTTL <= 0 {
		s.accountTTL = DefaultAccountTTL
	}
	if s.sweepEvery <= 0 {
		s.sweepEvery = DefaultSweepInterval
	}
	if s.recoverAfter <= 0 {
		s.recoverAfter = DefaultRecoverAfter
	}
	return s
}

func (s *Service) now() time.Time { return s.db.Now() }

// account returns an account, from the cache when it was read less than
// AccountTTL ago.
// ForgetAccount drops the cached copy of an account, so that a change of
// its settings through this process counts from the next charge; other
// processes see it within the account cache's lifetime (AccountTTL).
func (s *Service) ForgetAccount(id string) {
	s.mu.Lock()
	delete(s.accts, id)
	s.mu.Unlock()
}

func (s *Service) account(ctx context.Context, id string) (*kessai.Account, error) {
	now := time.Now()
	s.mu.Lock()
	e, ok := s.accts[id]
	s.mu.Unlock()
	if ok && now.Sub(e.at) < s.accountTTL {
		return e.a, nil
	}
	a, err := s.accounts.FindAccount(ctx, id)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if len(s.accts) > 10000 {
		clear(s.accts)
	}
	s.accts[id] = cachedAccount{a, now}
	s.mu.Unlock()
	return a, nil
}

// addEvent stores the event key of the object objectID (whose snapshot is
// obj) in tx.
func addEvent(tx *sqlstore.Tx, key, accountID string, livemode bool, objectID string, obj any) error {
	e, err := kessai.NewEvent(key, accountID, livemode, objectID, obj, tx.Now)
	if err != nil {
		return err
	}
	return tx.InsertEvent(e)
}

// detach returns a context that is not canceled with ctx: once a request
// went to the network, its outcome must be recorded even if the client
// went away.
func detach(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

// Run does the service's periodic work until ctx ends: at once and then
// every SweepInterval it recovers operations lost in flight (older than
// RecoverAfter) and expires old authorizations. Failures are logged and
// retried at the next tick. Returns ctx's error.
func (s *Service) Run(ctx context.Context) error {
	if s.threeDS != nil {
		// Authentications past their deadline time out (its own,
		// shorter period).
		go s.runThreeDS(ctx)
	}
	t := time.NewTicker(s.sweepEvery)
	defer t.Stop()
	for {
		if n, err := s.Recover(ctx, s.now().Add(-s.recoverAfter)); err != nil && ctx.Err() == nil {
			s.log.Error("payment: recover", "err", err)
		} else if n > 0 {
			s.log.Info("payment: recovered operations lost in flight", "count", n)
		}
		if n, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("payment: expire authorizations", "err", err)
		} else if n > 0 {
			s.log.Info("payment: expired authorizations", "count", n)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
