package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"testing"

	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
)

func TestUnavailable(t *testing.T) {
	ctx := context.Background()
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		// A wrong statement is a bug, not an outage.
		err := db.Write(ctx, func(tx *sqlstore.Tx) error {
			_, err := tx.Exec(`INSERT INTO no_such_table VALUES (1)`)
			return err
		})
		if err == nil || sqlstore.Unavailable(err) {
			t.Errorf("bad statement: %v, unavailable %v", err, sqlstore.Unavailable(err))
		}
		if sqlstore.Unavailable(nil) || sqlstore.Unavailable(errors.New("nil map")) {
			t.Error("plain errors are outages")
		}
	})
	// A closed database.
	db, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	err = db.Write(ctx, func(*sqlstore.Tx) error { return nil })
	if !sqlstore.Unavailable(fmt.Errorf("store charge: %w", err)) {
		t.Errorf("closed database: %v", err)
	}
	// A PostgreSQL server that does not answer.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = sqlstore.Open(ctx, "postgres://postgres@"+addr+"/x?sslmode=disable&connect_timeout=2")
	if err == nil || !sqlstore.Unavailable(err) {
		t.Errorf("unreachable server: %v, unavailable %v", err, err != nil && sqlstore.Unavailable(err))
	}
}
