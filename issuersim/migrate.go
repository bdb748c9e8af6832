package issuersim

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"

	"github.com/kessai/kessai/sqlstore"
)

// migrations holds the issuer's schema, one directory per dialect.
//
//go:embed migrations
var migrations embed.FS

// VersionTable is the goose version table of the issuer's migrations, so
// that the issuer's schema may share a database with the gateway's.
const VersionTable = "issuersim_schema_version"

// MigrationFS returns the issuer's migrations: sqlite/ and postgres/ with
// equal version numbers.
func MigrationFS() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// Open opens the issuer database at dsn and applies its migrations. Fails
// when the database cannot be reached or a migration fails.
func Open(ctx context.Context, dsn string) (*sqlstore.DB, error) {
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("issuersim: %w", err)
	}
	if err := db.Migrate(ctx, MigrationFS(), VersionTable); err != nil {
		db.Close()
		return nil, fmt.Errorf("issuersim: %w", err)
	}
	return db, nil
}

const hashKeySetting = "pan_hmac_key"

// loadHashKey returns key when set; otherwise the key kept in the
// database, made and stored on first use.
func loadHashKey(ctx context.Context, db *sqlstore.DB, key []byte) ([]byte, error) {
	if len(key) > 0 {
		return key, nil
	}
	var stored string
	err := db.Write(ctx, func(tx *sqlstore.Tx) error {
		err := tx.QueryRow(`SELECT value FROM issuer_settings WHERE name = $1`, hashKeySetting).Scan(&stored)
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		b := make([]byte, 32)
		rand.Read(b)
		stored = hex.EncodeToString(b)
		_, err = tx.Exec(`INSERT INTO issuer_settings (name, value) VALUES ($1, $2)`, hashKeySetting, stored)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("issuersim: card number key: %w", err)
	}
	k, err := hex.DecodeString(stored)
	if err != nil || len(k) == 0 {
		return nil, errors.New("issuersim: card number key: malformed setting")
	}
	return k, nil
}
