package app

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/kessai/kessai/sqlstore"
)

// OpenDB opens the gateway database and applies its migrations.
func OpenDB(ctx context.Context, dsn string) (*sqlstore.DB, error) {
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", RedactDSN(dsn), err)
	}
	if err := sqlstore.MigrateGateway(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// RedactDSN returns dsn without its password, for messages.
func RedactDSN(dsn string) string {
	if !strings.Contains(dsn, "://") {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "[unparseable dsn]"
	}
	return u.Redacted()
}
