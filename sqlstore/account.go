package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kessai/kessai"
)

// AccountService implements [kessai.AccountService] on the database.
type AccountService struct {
	DB *DB
	// Sealer encrypts the webhook signing secrets at rest (the vault).
	// Nil stores them in clear, which only tests of this package do;
	// a secret stored in clear is sealed the first time it is read with
	// a Sealer set.
	Sealer SecretSealer
}

var _ kessai.AccountService = (*AccountService)(nil)

// CreateAccount stores a new account, filling in its id (unless set) and
// creation time.
func (s *AccountService) CreateAccount(ctx context.Context, a *kessai.Account) error {
	if a.ID == "" {
		a.ID = kessai.NewID(kessai.PrefixAccount, true)
	}
	if a.Country == "" || a.Currency == "" {
		return kessai.Errorf(kessai.EBadRequest, "account country and currency are required")
	}
	a.Currency = strings.ToLower(a.Currency)
	a.Country = strings.ToUpper(a.Country)
	return s.DB.Write(ctx, func(tx *Tx) error {
		a.CreatedAt = kessai.Time{Time: tx.Now}
		_, err := tx.Exec(`INSERT INTO accounts (id, email, country, currency, team, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			a.ID, a.Email, a.Country, a.Currency, a.Team, Micros(tx.Now))
		if err != nil {
			return fmt.Errorf("insert account: %w", err)
		}
		return nil
	})
}

// FindAccount returns the account with the given id, in test mode; the
// caller sets Livemode. Returns ENotFound if there is none.
func (s *AccountService) FindAccount(ctx context.Context, id string) (*kessai.Account, error) {
	a := &kessai.Account{Object: "account", ID: id, Location: "/account", APIVersion: "2019-05-29"}
	var created int64
	var hookTest, tds, tdsU sql.NullString
	err := s.DB.QueryRowContext(ctx, `SELECT email, country, currency, team, webhook_uri_test, created_at, three_d_secure, three_d_secure_unavailable FROM accounts WHERE id = $1`, id).
		Scan(&a.Email, &a.Country, &a.Currency, &a.Team, &hookTest, &created, &tds, &tdsU)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kessai.NotFound("account", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find account: %w", err)
	}
	if hookTest.Valid {
		a.WebhookURI = &hookTest.String
	}
	a.CreatedAt = kessai.Time{Time: FromMicros(created)}
	a.SupportedCurrencies = kessai.SupportedCurrencies(a.Country)
	a.ThreeDSecure, a.ThreeDSecureUnavailable = tds.String, tdsU.String
	if a.ThreeDSecure == "" {
		a.ThreeDSecure = kessai.DefaultThreeDSecure(a.Currency)
	}
	if a.ThreeDSecureUnavailable == "" {
		a.ThreeDSecureUnavailable = kessai.ThreeDSDecline
	}
	return a, nil
}

// SetThreeDSecure changes the account's 3-D Secure settings (see
// [kessai.ThreeDSecureSettings]). Fails with EBadRequest for a value that
// is not one of the documented ones, changing nothing, and with ENotFound
// for an unknown account.
func (s *AccountService) SetThreeDSecure(ctx context.Context, accountID string, set kessai.ThreeDSecureSettings) error {
	if err := set.Validate(); err != nil {
		return err
	}
	arg := func(v *string) any {
		if *v == "" {
			return nil
		}
		return *v
	}
	return s.DB.Write(ctx, func(tx *Tx) error {
		for _, c := range []struct {
			col string
			v   *string
		}{{"three_d_secure", set.Mode}, {"three_d_secure_unavailable", set.Unavailable}} {
			if c.v == nil {
				continue
			}
			res, err := tx.Exec(`UPDATE accounts SET `+c.col+` = $1 WHERE id = $2`, arg(c.v), accountID)
			if err != nil {
				return fmt.Errorf("set %s: %w", c.col, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return kessai.NotFound("account", accountID)
			}
		}
		return nil
	})
}

// keyHash returns the stored form of an API key: hex SHA-256. Keys carry 95
// random bits, so a slow password hash would add cost and no safety.
func keyHash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// validKey reports whether key is prefix followed by 19 characters of [0-9a-z].
func validKey(key, prefix string) bool {
	rest, ok := strings.CutPrefix(key, prefix)
	if !ok || len(rest) != 19 {
		return false
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// CreateKey creates an API key of the given kind and mode; see
// [kessai.AccountService.CreateKey].
func (s *AccountService) CreateKey(ctx context.Context, accountID string, kind kessai.KeyKind, livemode bool, key string) (*kessai.APIKey, error) {
	k, err := s.newKey(accountID, kind, livemode, key)
	if err != nil {
		return nil, err
	}
	err = s.DB.Write(ctx, func(tx *Tx) error { return insertKey(tx, k) })
	if err != nil {
		return nil, err
	}
	return k, nil
}

func (s *AccountService) newKey(accountID string, kind kessai.KeyKind, livemode bool, key string) (*kessai.APIKey, error) {
	if kind != kessai.PublicKey && kind != kessai.SecretKey {
		return nil, kessai.Errorf(kessai.EBadRequest, "key kind must be public or secret")
	}
	prefix := kessai.KeyPrefix(kind, livemode)
	if key == "" {
		key = prefix + kessai.RandomString(19)
	} else if !validKey(key, prefix) {
		return nil, kessai.Errorf(kessai.EBadRequest, "key must be %s followed by 19 characters of [0-9a-z]", prefix)
	}
	return &kessai.APIKey{
		ID:        kessai.NewID(kessai.PrefixKey, livemode),
		AccountID: accountID,
		Kind:      kind,
		Livemode:  livemode,
		Key:       kessai.Secret(key),
		Hint:      prefix + "…" + key[len(key)-4:],
	}, nil
}

func insertKey(tx *Tx, k *kessai.APIKey) error {
	k.CreatedAt = tx.Now
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM accounts WHERE id = $1`, k.AccountID).Scan(&n); err != nil {
		return fmt.Errorf("insert key: %w", err)
	}
	if n == 0 {
		return kessai.NotFound("account", k.AccountID)
	}
	if err := tx.QueryRow(`SELECT count(*) FROM api_keys WHERE key_hash = $1`, keyHash(k.Key.Reveal())).Scan(&n); err != nil {
		return fmt.Errorf("insert key: %w", err)
	}
	if n > 0 {
		return kessai.Errorf(kessai.EConflict, "this key exists already")
	}
	_, err := tx.Exec(`INSERT INTO api_keys (id, account_id, kind, livemode, key_hash, hint, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		k.ID, k.AccountID, string(k.Kind), k.Livemode, keyHash(k.Key.Reveal()), k.Hint, Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("insert key: %w", err)
	}
	return nil
}

// ListKeys returns the account's keys, newest first, without the keys.
func (s *AccountService) ListKeys(ctx context.Context, accountID string) ([]*kessai.APIKey, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT id, kind, livemode, hint, created_at, expires_at FROM api_keys WHERE account_id = $1 ORDER BY created_at DESC, id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	defer rows.Close()
	var keys []*kessai.APIKey
	for rows.Next() {
		k := &kessai.APIKey{AccountID: accountID}
		var kind string
		var created int64
		var expires sql.NullInt64
		if err := rows.Scan(&k.ID, &kind, &k.Livemode, &k.Hint, &created, &expires); err != nil {
			return nil, fmt.Errorf("list keys: %w", err)
		}
		k.Kind = kessai.KeyKind(kind)
		k.CreatedAt = FromMicros(created)
		if expires.Valid {
			t := FromMicros(expires.Int64)
			k.ExpiresAt = &t
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// RollKey creates a new key and makes the older keys of that kind and mode
// expire after grace; see [kessai.AccountService.RollKey].
func (s *AccountService) RollKey(ctx context.Context, accountID string, kind kessai.KeyKind, livemode bool, grace time.Duration) (*kessai.APIKey, error) {
	if grace < 0 {
		return nil, kessai.Errorf(kessai.EBadRequest, "grace period must not be negative")
	}
	k, err := s.newKey(accountID, kind, livemode, "")
	if err != nil {
		return nil, err
	}
	err = s.DB.Write(ctx, func(tx *Tx) error {
		if err := lockAccount(tx, accountID); err != nil {
			return fmt.Errorf("roll key: %w", err)
		}
		until := Micros(tx.Now.Add(grace))
		// Keep an earlier, shorter expiry: rolling twice must not extend a key.
		if _, err := tx.Exec(`UPDATE api_keys SET expires_at = $1 WHERE account_id = $2 AND kind = $3 AND livemode = $4 AND (expires_at IS NULL OR expires_at > $1)`,
			until, accountID, string(kind), livemode); err != nil {
			return fmt.Errorf("roll key: %w", err)
		}
		return insertKey(tx, k)
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// Authenticate returns who key belongs to. Returns EAuthenticationFailure for
// an unknown, malformed or expired key.
func (s *AccountService) Authenticate(ctx context.Context, key string) (*kessai.Auth, error) {
	fail := kessai.Errorf(kessai.EAuthenticationFailure, "authentication failed")
	if len(key) < 20 || len(key) > 40 {
		return nil, fail
	}
	var a kessai.Auth
	var kind string
	var expires sql.NullInt64
	err := s.DB.QueryRowContext(ctx, `SELECT id, account_id, kind, livemode, expires_at FROM api_keys WHERE key_hash = $1`, keyHash(key)).
		Scan(&a.KeyID, &a.AccountID, &kind, &a.Livemode, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fail
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	if expires.Valid && !s.DB.Now().Before(FromMicros(expires.Int64)) {
		return nil, fail
	}
	a.Kind = kessai.KeyKind(kind)
	return &a, nil
}

// lockAccount makes the transactions that change one account's rows as a
// set (rolling keys or webhook secrets) take turns. On PostgreSQL,
// concurrent rolls in different writers would otherwise update the same
// rows in different orders (a deadlock) and could both leave a current
// key. The row lock (FOR NO KEY UPDATE) does not block inserts that
// reference the account. SQLite has one writer, so nothing to do there.
// Returns an error when the account does not exist.
func lockAccount(tx *Tx, accountID string) error {
	if tx.Dialect() != Postgres {
		return nil
	}
	var id string
	return tx.QueryRow(`SELECT id FROM accounts WHERE id = $1 FOR NO KEY UPDATE`, accountID).Scan(&id)
}
