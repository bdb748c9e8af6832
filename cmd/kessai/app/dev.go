package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kessai/kessai"
)

// Credentials is what `kessai dev` writes to DATA/credentials.json once it
// serves: the dev-mode contract other tools rely on.
type Credentials struct {
	AccountID     string `json:"account_id"`
	PublicKey     string `json:"public_key"`
	SecretKey     string `json:"secret_key"`
	APIURL        string `json:"api_url"`
	VaultURL      string `json:"vault_url"`
	WebhookSecret string `json:"webhook_secret"`
	CAFile        string `json:"ca_file"`
}

// CredentialsFile is the name of the credentials file in the data directory.
const CredentialsFile = "credentials.json"

// Credentials returns the dev credentials with the URLs the platform
// serves on; nil outside dev mode.
func (a *App) Credentials() *Credentials {
	if a.creds == nil {
		return nil
	}
	c := *a.creds
	c.APIURL = a.BaseURL()
	c.VaultURL = a.BaseURL()
	if a.CA != nil {
		c.CAFile = a.CA.CertFile
	}
	return &c
}

// devSetup makes sure the dev merchant and its test keys exist. It reuses
// the account and keys of an earlier start (read back from credentials.json,
// since only key hashes are stored), takes the keys given in the config, or
// creates new ones.
func (a *App) devSetup(ctx context.Context) error {
	prev := readCredentials(filepath.Join(a.Config.DataDir, CredentialsFile))
	acct, err := a.devAccount(ctx)
	if err != nil {
		return err
	}
	c := &Credentials{AccountID: acct}
	// The test-mode signing secret is stored with the account; the first
	// start after an upgrade keeps the one credentials.json already had.
	secrets, err := a.Accounts.WebhookSecrets(ctx, acct, false, prev.WebhookSecret)
	if err != nil {
		return err
	}
	c.WebhookSecret = secrets[0]
	if c.PublicKey, err = a.devKey(ctx, acct, kessai.PublicKey, a.Config.DevPublicKey, prev.PublicKey); err != nil {
		return err
	}
	if c.SecretKey, err = a.devKey(ctx, acct, kessai.SecretKey, a.Config.DevSecretKey, prev.SecretKey); err != nil {
		return err
	}
	a.creds = c
	return nil
}

// devAccount returns the id of the dev merchant, creating it on first start.
func (a *App) devAccount(ctx context.Context) (string, error) {
	var id string
	err := a.DB.QueryRowContext(ctx, `SELECT id FROM accounts ORDER BY created_at LIMIT 1`).Scan(&id)
	if err == nil {
		return id, nil
	}
	acct := &kessai.Account{Email: "dev@kessai.test", Country: "JP", Currency: "jpy", Team: "Kessai dev shop"}
	if err := a.Accounts.CreateAccount(ctx, acct); err != nil {
		return "", fmt.Errorf("create dev account: %w", err)
	}
	a.Log.Info("created the dev merchant account", "account", acct.ID)
	return acct.ID, nil
}

// devKey returns a working test key of the kind: the wanted one (created if
// it does not exist yet), else the previous one if it still works, else a
// new one.
func (a *App) devKey(ctx context.Context, acct string, kind kessai.KeyKind, want, prev string) (string, error) {
	works := func(k string) bool {
		auth, err := a.Accounts.Authenticate(ctx, k)
		return err == nil && auth.AccountID == acct && auth.Kind == kind && !auth.Livemode
	}
	if want != "" {
		if works(want) {
			return want, nil
		}
		k, err := a.Accounts.CreateKey(ctx, acct, kind, false, want)
		if err != nil {
			return "", fmt.Errorf("%s key: %w", kind, err)
		}
		return k.Key.Reveal(), nil
	}
	if prev != "" && works(prev) {
		return prev, nil
	}
	k, err := a.Accounts.CreateKey(ctx, acct, kind, false, "")
	if err != nil {
		return "", fmt.Errorf("%s key: %w", kind, err)
	}
	return k.Key.Reveal(), nil
}

// readCredentials returns the credentials file's content, or a zero value
// when it is missing or unreadable.
func readCredentials(path string) Credentials {
	var c Credentials
	if b, err := os.ReadFile(path); err == nil {
		json.Unmarshal(b, &c)
	}
	return c
}
