package chaos

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"github.com/kessai/kessai"
)

// FreshPostgres creates an empty database on the PostgreSQL server of
// serverURL and returns its DSN and a func that drops it. Fails when the
// server cannot be reached or refuses.
func FreshPostgres(ctx context.Context, serverURL string) (dsn string, drop func(), err error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", nil, fmt.Errorf("chaos: postgres URL: %w", err)
	}
	admin, err := sql.Open("pgx", serverURL)
	if err != nil {
		return "", nil, err
	}
	defer admin.Close()
	name := "kessai_chaos_" + kessai.RandomString(10)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("chaos: create database: %w", err)
	}
	drop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if a, err := sql.Open("pgx", serverURL); err == nil {
			a.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			a.Close()
		}
	}
	u.Path = "/" + name
	q := u.Query()
	if q.Get("sslmode") == "" {
		q.Set("sslmode", "disable")
	}
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}
