package sqlstore

import (
	"context"
	"os"
)

// SQLite's write-ahead log: the writer's commits checkpoint it every 1000
// pages, but a log restarts from its beginning only when no reader still
// reads from it, and under a steady read load there may never be such a
// moment: the log then grows with every write until the disk is full. The
// writer therefore checks the log's size every walCheckEvery batches, and
// when it has outgrown walLimit it runs a RESTART checkpoint between two
// batches, which waits (busy_timeout) for the current readers to finish
// and starts the log over; journal_size_limit then trims the file.
const walCheckEvery = 64

// walLimit is a variable for tests.
var walLimit int64 = 32 << 20

// restartWAL restarts SQLite's log when it has outgrown walLimit; the
// writer goroutine calls it between batches. Failures are left to the next
// check.
func (db *DB) restartWAL() {
	if db.Dialect != SQLite || db.walPath == "" {
		return
	}
	db.walChecks++
	if db.walChecks%walCheckEvery != 0 {
		return
	}
	fi, err := os.Stat(db.walPath)
	if err != nil || fi.Size() <= walLimit {
		return
	}
	db.write.ExecContext(context.Background(), "PRAGMA wal_checkpoint(RESTART)")
}
