package sqlstore

import (
	"database/sql/driver"
	"errors"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// SQLite result codes (the primary code is the low byte) that mean the
// storage, not the statement, failed.
const (
	sqliteBusy     = 5
	sqliteReadonly = 8
	sqliteIOErr    = 10
	sqliteFull     = 13
	sqliteCantOpen = 14
)

// Unavailable reports whether err says that the database is out of reach
// or cannot take writes for now (connection refused or lost, server
// shutting down or starting, disk full, I/O error), rather than that a
// statement is wrong: an outage to answer with 503 and retry later, not a
// bug.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrClosed) || errors.Is(err, driver.ErrBadConn) {
		return true
	}
	if se, ok := errors.AsType[*sqlite.Error](err); ok {
		switch se.Code() & 0xff {
		case sqliteBusy, sqliteReadonly, sqliteIOErr, sqliteFull, sqliteCantOpen:
			return true
		}
		return false
	}
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		// 08: connection exception; 53: insufficient resources (disk
		// full, out of memory, too many connections); 57P01–57P03:
		// shutdown, crash recovery, cannot connect now.
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "53") || strings.HasPrefix(pe.Code, "57P")
	}
	if _, ok := errors.AsType[*pgconn.ConnectError](err); ok {
		return true
	}
	if pgconn.SafeToRetry(err) || pgconn.Timeout(err) {
		return true
	}
	_, ok := errors.AsType[*net.OpError](err)
	return ok
}
