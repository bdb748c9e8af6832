package sqlstore_test

import (
	"context"
	"errors"
	"io/fs"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
)

// TestMigrationListsMatch checks that both dialects have the same migration
// versions, so that a schema change is never made for one engine only.
func TestMigrationListsMatch(t *testing.T) {
	list := func(d string) []string {
		entries, err := fs.ReadDir(sqlstore.MigrationFS(), d)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}
	sq, pg := list("sqlite"), list("postgres")
	if len(sq) == 0 {
		t.Fatal("no migrations")
	}
	if diff := cmp.Diff(sq, pg); diff != "" {
		t.Errorf("migration lists differ (-sqlite +postgres):\n%s", diff)
	}
}

func TestWriteGroupCommit(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		insert := func(id string) func(tx *sqlstore.Tx) error {
			return func(tx *sqlstore.Tx) error {
				_, err := tx.Exec(`INSERT INTO accounts (id, email, country, currency, created_at) VALUES ($1, $2, 'JP', 'jpy', $3)`,
					id, id+"@example.com", sqlstore.Micros(tx.Now))
				return err
			}
		}
		// Many concurrent writers, some failing: the failures roll back only
		// their own changes.
		var wg sync.WaitGroup
		errs := make([]error, 200)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := "acct_" + string(rune('a'+i%26)) + string(rune('a'+i/26))
				if i%10 == 0 {
					errs[i] = db.Write(ctx, func(tx *sqlstore.Tx) error {
						if err := insert(id)(tx); err != nil {
							return err
						}
						return errors.New("boom")
					})
					return
				}
				errs[i] = db.Write(ctx, insert(id))
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if (i%10 == 0) != (err != nil) {
				t.Fatalf("write %d: err = %v", i, err)
			}
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM accounts`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 180 {
			t.Errorf("rows = %d, want 180", n)
		}
		// A duplicate key fails that write alone.
		if err := db.Write(ctx, insert("acct_ab")); err == nil {
			t.Error("duplicate insert succeeded")
		}
		// A panicking write is an error, and the writer keeps going.
		if err := db.Write(ctx, func(*sqlstore.Tx) error { panic("bad") }); err == nil {
			t.Error("panic not reported")
		}
		if err := db.Write(ctx, insert("acct_new")); err != nil {
			t.Errorf("write after panic: %v", err)
		}
	})
}
