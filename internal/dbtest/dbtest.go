// Package dbtest runs store tests on every dialect: SQLite always, and
// PostgreSQL when KESSAI_TEST_POSTGRES holds a server URL (such as
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable). Each test
// gets a fresh database: a temporary SQLite file, or a PostgreSQL database
// created for it and dropped afterwards.
package dbtest

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/sqlstore"
)

// EnvPostgres names the environment variable with the PostgreSQL server URL.
const EnvPostgres = "KESSAI_TEST_POSTGRES"

// Run calls fn once per available dialect, as subtests named "sqlite" and
// "postgres", each with the DSN of a fresh, empty database.
func Run(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLiteDSN(t)) })
	t.Run("postgres", func(t *testing.T) {
		if os.Getenv(EnvPostgres) == "" {
			t.Skip(EnvPostgres + " is not set")
		}
		fn(t, PostgresDSN(t))
	})
}

// RunDB is [Run] with the gateway's database opened and migrated.
func RunDB(t *testing.T, fn func(t *testing.T, db *sqlstore.DB)) {
	t.Helper()
	Run(t, func(t *testing.T, dsn string) { fn(t, Open(t, dsn)) })
}

// SQLiteDSN returns the DSN of a new SQLite file in the test's temp dir.
func SQLiteDSN(t testing.TB) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "kessai.db")
}

// PostgresDSN creates a fresh database on the server named by
// KESSAI_TEST_POSTGRES, drops it when the test ends, and returns its DSN.
// The test is skipped when the variable is not set.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skip(EnvPostgres + " is not set")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := "kessai_t_" + kessai.RandomString(12)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		// Dropping waits for the server's other backends; on a busy shared
		// server give up after a while rather than hang the suite (the
		// database is left behind, with a random name).
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		a.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u.Path = "/" + name
	q := u.Query()
	if q.Get("sslmode") == "" {
		q.Set("sslmode", "disable")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Open opens and migrates the gateway database at dsn and closes it when the
// test ends.
func Open(t testing.TB, dsn string) *sqlstore.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := sqlstore.MigrateGateway(ctx, db); err != nil {
		t.Fatal(err)
	}
	return db
}
