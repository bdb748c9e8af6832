package sqlstore_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kessai/kessai/sqlstore"
)

// TestSQLiteWALBounded writes 12 MiB through the writer while readers read
// all the time: the write-ahead log must restart rather than grow with
// the data (a checkpointer racing the writer once let it grow until the
// disk was full).
func TestSQLiteWALBounded(t *testing.T) {
	defer sqlstore.SetWALLimit(2 << 20)()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wal.db")
	db, err := sqlstore.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Write(ctx, func(tx *sqlstore.Tx) error {
		_, err := tx.Exec(`CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB NOT NULL)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for !stop.Load() {
				var n int
				db.QueryRowContext(ctx, `SELECT count(*) FROM blobs`).Scan(&n)
			}
		})
	}
	blob := make([]byte, 8<<10)
	var maxWAL int64
	for i := range 1536 {
		if err := db.Write(ctx, func(tx *sqlstore.Tx) error {
			_, err := tx.Exec(`INSERT INTO blobs (b) VALUES ($1)`, blob)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if i%64 == 0 {
			if fi, err := os.Stat(path + "-wal"); err == nil {
				maxWAL = max(maxWAL, fi.Size())
			}
		}
	}
	stop.Store(true)
	wg.Wait()
	// The limit, plus 64 batches of 3 pages.
	if maxWAL > 6<<20 {
		t.Errorf("WAL grew to %d MiB for 12 MiB written", maxWAL>>20)
	}
	t.Logf("largest WAL: %.1f MiB", float64(maxWAL)/(1<<20))
}
