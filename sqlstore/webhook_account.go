package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kessai/kessai"
)

// WebhookURI returns the account's webhook URL for the mode, nil when none
// is set. Returns ENotFound for an unknown account.
func (s *AccountService) WebhookURI(ctx context.Context, accountID string, livemode bool) (*string, error) {
	col := "webhook_uri_test"
	if livemode {
		col = "webhook_uri_live"
	}
	var uri sql.NullString
	err := s.DB.QueryRowContext(ctx, `SELECT `+col+` FROM accounts WHERE id = $1`, accountID).Scan(&uri)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kessai.NotFound("account", accountID)
	}
	if err != nil {
		return nil, fmt.Errorf("webhook uri: %w", err)
	}
	if !uri.Valid || uri.String == "" {
		return nil, nil
	}
	return &uri.String, nil
}

// SetWebhookURI sets the account's webhook URL for the mode; "" removes it.
// The caller validates the URL.
func (s *AccountService) SetWebhookURI(ctx context.Context, accountID string, livemode bool, uri string) error {
	col := "webhook_uri_test"
	if livemode {
		col = "webhook_uri_live"
	}
	var arg any = uri
	if uri == "" {
		arg = nil
	}
	return s.DB.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE accounts SET `+col+` = $1 WHERE id = $2`, arg, accountID)
		if err != nil {
			return fmt.Errorf("set webhook uri: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return kessai.NotFound("account", accountID)
		}
		tx.AfterCommit(func() { tx.db.webhooks.forget(acctMode{accountID, livemode}) })
		return nil
	})
}

// cachedWebhookURI is [AccountService.WebhookURI] through the process's
// cache ([WebhookCacheTTL]).
func (db *DB) cachedWebhookURI(ctx context.Context, accountID string, livemode bool) (*string, error) {
	k, now := acctMode{accountID, livemode}, db.Now()
	if uri, ok := db.webhooks.uri(k, now); ok {
		return uri, nil
	}
	gen := db.webhooks.generation()
	uri, err := (&AccountService{DB: db}).WebhookURI(ctx, accountID, livemode)
	if err != nil {
		return nil, err
	}
	db.webhooks.putURI(k, uri, now.Add(WebhookCacheTTL), gen)
	return uri, nil
}

// SecretSealer encrypts secrets that are not card data at rest; the vault
// implements it with its tink keyset ([vault.Vault.SealSecret]).
type SecretSealer interface {
	SealSecret(ctx context.Context, plaintext, ad []byte) ([]byte, error)
	OpenSecret(ctx context.Context, ct, ad []byte) ([]byte, error)
}

// sealedPrefix marks a sealed secret in webhook_secrets.secret: "tink:"
// and the base64 of the ciphertext. A plain secret is standard base64,
// which has no ':', so the two never mix up.
const sealedPrefix = "tink:"

// webhookSecretAD is the associated data of a sealed webhook secret: the
// account id, the mode and "webhook", so that a row copied to another
// account or mode does not decrypt.
func webhookSecretAD(accountID string, livemode bool) []byte {
	mode := "test"
	if livemode {
		mode = "live"
	}
	return []byte(accountID + "\x00" + mode + "\x00webhook")
}

// sealWebhookSecret returns the stored form of a secret: sealed when the
// service has a Sealer, as it is otherwise (tests of this package).
func (s *AccountService) sealWebhookSecret(ctx context.Context, accountID string, livemode bool, secret string) (string, error) {
	if s.Sealer == nil {
		return secret, nil
	}
	ct, err := s.Sealer.SealSecret(ctx, []byte(secret), webhookSecretAD(accountID, livemode))
	if err != nil {
		return "", err
	}
	return sealedPrefix + base64.StdEncoding.EncodeToString(ct), nil
}

// openWebhookSecret returns the secret a stored value holds.
func (s *AccountService) openWebhookSecret(ctx context.Context, accountID string, livemode bool, stored string) (string, error) {
	b64, ok := strings.CutPrefix(stored, sealedPrefix)
	if !ok {
		return stored, nil // stored in clear before secrets were sealed
	}
	if s.Sealer == nil {
		return "", errors.New("webhook secret is sealed and no vault is configured to open it")
	}
	ct, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return "", errors.New("webhook secret: damaged sealed value")
	}
	pt, err := s.Sealer.OpenSecret(ctx, ct, webhookSecretAD(accountID, livemode))
	if err != nil {
		return "", err
	}
	return string(pt), nil
}

// NewWebhookSecret returns 32 random bytes in standard base64.
func NewWebhookSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// WebhookSecrets returns the account's signing secrets for the mode that
// sign now, newest first: one, or two while a roll is in progress. The
// first call creates the secret (want, when not empty, else a random one).
//
// The secrets are cached in memory for up to [WebhookCacheTTL] (and never
// past the expiry of a rolled one); a roll through this process clears the
// cache at once.
func (s *AccountService) WebhookSecrets(ctx context.Context, accountID string, livemode bool, want string) ([]string, error) {
	k, now := acctMode{accountID, livemode}, s.DB.Now()
	if out, ok := s.DB.webhooks.secretsOf(k, now); ok {
		return out, nil
	}
	gen := s.DB.webhooks.generation()
	out, until, err := s.activeSecrets(ctx, accountID, livemode)
	if err != nil {
		return nil, err
	}
	if len(out) > 0 {
		if ttl := now.Add(WebhookCacheTTL); ttl.Before(until) {
			until = ttl
		}
		s.DB.webhooks.putSecrets(k, out, until, gen)
		return out, nil
	}
	if want == "" {
		want = NewWebhookSecret()
	}
	stored, err := s.sealWebhookSecret(ctx, accountID, livemode, want)
	if err != nil {
		return nil, fmt.Errorf("create webhook secret: %w", err)
	}
	err = s.DB.Write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM webhook_secrets WHERE account_id = $1 AND livemode = $2 AND expires_at IS NULL`, accountID, livemode).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil // another writer was first
		}
		_, err := tx.Exec(`INSERT INTO webhook_secrets (account_id, livemode, secret, created_at) VALUES ($1, $2, $3, $4)`,
			accountID, livemode, stored, Micros(tx.Now))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create webhook secret: %w", err)
	}
	out, _, err = s.activeSecrets(ctx, accountID, livemode)
	return out, err
}

// activeSecrets returns the secrets that sign now, newest first, and when
// the first of them stops signing (far ahead when none expires).
func (s *AccountService) activeSecrets(ctx context.Context, accountID string, livemode bool) ([]string, time.Time, error) {
	now := s.DB.Now()
	until := now.Add(24 * 365 * time.Hour)
	rows, err := s.DB.QueryContext(ctx, `SELECT secret, expires_at FROM webhook_secrets WHERE account_id = $1 AND livemode = $2 AND (expires_at IS NULL OR expires_at > $3) ORDER BY created_at DESC`,
		accountID, livemode, Micros(now))
	if err != nil {
		return nil, until, fmt.Errorf("webhook secrets: %w", err)
	}
	var stored []string
	for rows.Next() {
		var sec string
		var exp sql.NullInt64
		if err := rows.Scan(&sec, &exp); err != nil {
			rows.Close()
			return nil, until, fmt.Errorf("webhook secrets: %w", err)
		}
		if exp.Valid && FromMicros(exp.Int64).Before(until) {
			until = FromMicros(exp.Int64)
		}
		stored = append(stored, sec)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, until, fmt.Errorf("webhook secrets: %w", err)
	}
	out := make([]string, 0, len(stored))
	for _, st := range stored {
		sec, err := s.openWebhookSecret(ctx, accountID, livemode, st)
		if err != nil {
			return nil, until, fmt.Errorf("webhook secrets: %w", err)
		}
		if s.Sealer != nil && !strings.HasPrefix(st, sealedPrefix) {
			s.resealWebhookSecret(ctx, accountID, livemode, st)
		}
		out = append(out, sec)
	}
	return out, until, nil
}

// resealWebhookSecret replaces a secret stored in clear (a data dir from
// before secrets were sealed) with its sealed form. Failures are left for
// the next read: the clear row still works meanwhile.
func (s *AccountService) resealWebhookSecret(ctx context.Context, accountID string, livemode bool, plain string) {
	sealed, err := s.sealWebhookSecret(ctx, accountID, livemode, plain)
	if err != nil {
		return
	}
	s.DB.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`UPDATE webhook_secrets SET secret = $1 WHERE account_id = $2 AND livemode = $3 AND secret = $4`,
			sealed, accountID, livemode, plain)
		return err
	})
}

// RollWebhookSecret makes a new signing secret for the account and mode; the
// current one keeps signing alongside it for grace, the ones before it stop.
// Returns the new secret.
func (s *AccountService) RollWebhookSecret(ctx context.Context, accountID string, livemode bool, grace time.Duration) (string, error) {
	secret := NewWebhookSecret()
	stored, err := s.sealWebhookSecret(ctx, accountID, livemode, secret)
	if err != nil {
		return "", fmt.Errorf("roll webhook secret: %w", err)
	}
	err = s.DB.Write(ctx, func(tx *Tx) error {
		if err := lockAccount(tx, accountID); err != nil {
			return err
		}
		now := Micros(tx.Now)
		if _, err := tx.Exec(`UPDATE webhook_secrets SET expires_at = $1 WHERE account_id = $2 AND livemode = $3 AND expires_at > $1`,
			now, accountID, livemode); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE webhook_secrets SET expires_at = $1 WHERE account_id = $2 AND livemode = $3 AND expires_at IS NULL`,
			now+grace.Microseconds(), accountID, livemode); err != nil {
			return err
		}
		// created_at must order the new secret first even within one
		// microsecond of the old one.
		_, err := tx.Exec(`INSERT INTO webhook_secrets (account_id, livemode, secret, created_at) VALUES ($1, $2, $3, $4)`,
			accountID, livemode, stored, now+1)
		return err
	})
	s.DB.webhooks.forget(acctMode{accountID, livemode})
	if err != nil {
		return "", fmt.Errorf("roll webhook secret: %w", err)
	}
	return secret, nil
}

// ResealWebhookSecrets seals every signing secret again under the sealer's
// current key and deletes those that no longer sign, so that after a vault
// rotation no secret depends on an older key. A secret rolled meanwhile is
// left as the roll wrote it. Returns how many secrets it resealed; fails on
// the first secret it cannot open or store (running it again continues).
func (s *AccountService) ResealWebhookSecrets(ctx context.Context) (int, error) {
	if s.Sealer == nil {
		return 0, errors.New("reseal webhook secrets: no vault is configured")
	}
	now := Micros(s.DB.Now())
	if err := s.DB.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`DELETE FROM webhook_secrets WHERE expires_at IS NOT NULL AND expires_at <= $1`, now)
		return err
	}); err != nil {
		return 0, fmt.Errorf("reseal webhook secrets: %w", err)
	}
	type row struct {
		account  string
		livemode bool
		stored   string
	}
	var all []row
	rows, err := s.DB.QueryContext(ctx, `SELECT account_id, livemode, secret FROM webhook_secrets ORDER BY account_id, livemode`)
	if err != nil {
		return 0, fmt.Errorf("reseal webhook secrets: %w", err)
	}
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.account, &r.livemode, &r.stored); err != nil {
			rows.Close()
			return 0, fmt.Errorf("reseal webhook secrets: %w", err)
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("reseal webhook secrets: %w", err)
	}
	n := 0
	for _, r := range all {
		plain, err := s.openWebhookSecret(ctx, r.account, r.livemode, r.stored)
		if err != nil {
			return n, fmt.Errorf("reseal webhook secret of %s: %w", r.account, err)
		}
		sealed, err := s.sealWebhookSecret(ctx, r.account, r.livemode, plain)
		if err != nil {
			return n, fmt.Errorf("reseal webhook secret of %s: %w", r.account, err)
		}
		err = s.DB.Write(ctx, func(tx *Tx) error {
			_, err := tx.Exec(`UPDATE webhook_secrets SET secret = $1 WHERE account_id = $2 AND livemode = $3 AND secret = $4`,
				sealed, r.account, r.livemode, r.stored)
			return err
		})
		if err != nil {
			return n, fmt.Errorf("reseal webhook secret of %s: %w", r.account, err)
		}
		s.DB.webhooks.forget(acctMode{r.account, r.livemode})
		n++
	}
	return n, nil
}
