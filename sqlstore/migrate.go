package sqlstore

import (
	"context"
	"embed"
	"io/fs"
)

// Migrations holds the gateway's migrations: migrations/sqlite and
// migrations/postgres, with equal version numbers.
//
//go:embed migrations
var migrations embed.FS

// MigrateGateway applies the gateway's migrations to db.
func MigrateGateway(ctx context.Context, db *DB) error {
	sub, err := fsSub(migrations, "migrations")
	if err != nil {
		return err
	}
	return db.Migrate(ctx, sub, "kessai_schema_version")
}

// MigrationFS returns the gateway's migrations, one directory per dialect.
func MigrationFS() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}
