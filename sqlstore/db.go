package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
	_ "modernc.org/sqlite" // registers "sqlite"
)

// Dialect names a SQL engine.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// postgresWriters is the number of group-commit writers on PostgreSQL.
const postgresWriters = 4

// DB is an open database: a writer (group commit) and a pool of readers.
type DB struct {
	Dialect Dialect
	// Now returns the current time; tests may replace it before use.
	Now func() time.Time

	write  *sql.DB
	read   *sql.DB
	queue  chan *writeOp
	done   chan struct{}
	closed sync.Once
	wg     sync.WaitGroup
	rebind sync.Map // query → rewritten query (SQLite)
	stmts  sync.Map // query → *sql.Stmt on the writer (SQLite)
	// readStmts caches the reader pool's statements (SQLite).
	readStmts  sync.Map // query → *sql.Stmt
	nreadStmts atomic.Int64
	// toPrepare holds queries to prepare after the current batch; only
	// the writer goroutine touches it.
	toPrepare map[string]struct{}
	nstmts    int
	// walPath and walChecks: see restartWAL (SQLite).
	walPath   string
	walChecks int
	onCommit  commitObserver // see ObserveCommits
	// onEvents and webhooks belong to the webhook outbox (notify.go,
	// webhook_cache.go).
	onEvents commitHooks
	webhooks webhookCache
}

// Open opens the database named by dsn: "postgres://…" or "postgresql://…"
// for PostgreSQL, "sqlite:PATH" or a plain file path for SQLite. It does not
// apply migrations (see [DB.Migrate]). Fails if the database cannot be reached.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db := &DB{Now: time.Now, queue: make(chan *writeOp, 1024), done: make(chan struct{}), toPrepare: map[string]struct{}{}}
	var err error
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		db.Dialect = Postgres
		if db.write, err = sql.Open("pgx", dsn); err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db.write.SetMaxOpenConns(postgresWriters)
		db.write.SetMaxIdleConns(postgresWriters)
		if db.read, err = sql.Open("pgx", dsn); err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db.read.SetMaxOpenConns(16)
		db.read.SetMaxIdleConns(16)
	default:
		db.Dialect = SQLite
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, errors.New("open sqlite: empty path")
		}
		db.walPath = path + "-wal"
		q := url.Values{}
		// Checkpoints stay in the writer's commits (every 1000 pages):
		// a checkpointer on its own connection, racing the writer, never
		// backfills the whole log, so the log never restarts and grows
		// until the disk is full (the fault suite found it).
		for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)", "foreign_keys(1)", "temp_store(MEMORY)",
			"journal_size_limit(16777216)", "cache_size(-8192)"} {
			q.Add("_pragma", p)
		}
		q.Set("_txlock", "immediate")
		if db.write, err = sql.Open("sqlite", "file:"+path+"?"+q.Encode()); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		db.write.SetMaxOpenConns(1)
		db.write.SetMaxIdleConns(1)
		db.write.SetConnMaxLifetime(0)
		q.Add("_pragma", "query_only(1)")
		q.Del("_txlock")
		if db.read, err = sql.Open("sqlite", "file:"+path+"?"+q.Encode()); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		db.read.SetMaxOpenConns(8)
		db.read.SetMaxIdleConns(8)
		db.read.SetConnMaxLifetime(0)
	}
	if err := db.write.PingContext(ctx); err != nil {
		db.write.Close()
		db.read.Close()
		return nil, fmt.Errorf("connect %s: %w", db.Dialect, err)
	}
	// SQLite has one writer connection. PostgreSQL gets several writers,
	// each batching on its own connection: a batch there is bound by round
	// trips, not by the commit, so a few run in parallel.
	writers := 1
	if db.Dialect == Postgres {
		writers = postgresWriters
	}
	for range writers {
		db.wg.Add(1)
		go db.writer()
	}
	return db, nil
}

// Close stops the writer after the queued writes and closes the connections.
func (db *DB) Close() error {
	db.closed.Do(func() { close(db.done) })
	db.wg.Wait()
	db.stmts.Range(func(_, v any) bool { v.(*sql.Stmt).Close(); return true })
	db.readStmts.Range(func(_, v any) bool { v.(*sql.Stmt).Close(); return true })
	if db.Dialect == SQLite {
		// A stopped database is one file.
		db.write.ExecContext(context.Background(), "PRAGMA wal_checkpoint(TRUNCATE)")
	}
	return errors.Join(db.write.Close(), db.read.Close())
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// Migrate applies the migrations in fsys, which has one directory per dialect
// ("sqlite", "postgres") holding goose SQL files with equal version numbers.
// table names the version table, so that several migration sets can share a
// database. Returns the first failing migration's error.
func (db *DB) Migrate(ctx context.Context, fsys fs.FS, table string) error {
	sub, err := fs.Sub(fsys, string(db.Dialect))
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	gd := database.DialectSQLite3
	if db.Dialect == Postgres {
		gd = database.DialectPostgres
	}
	store, err := database.NewStore(gd, table)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	p, err := goose.NewProvider("", db.write, sub, goose.WithStore(store), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// q rewrites $N placeholders to ?N for SQLite; PostgreSQL queries pass as they are.
func (db *DB) q(query string) string {
	if db.Dialect != SQLite || !strings.Contains(query, "$") {
		return query
	}
	if v, ok := db.rebind.Load(query); ok {
		return v.(string)
	}
	r := strings.ReplaceAll(query, "$", "?")
	db.rebind.Store(query, r)
	return r
}

// QueryContext runs a read query on the reader pool.
func (db *DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := db.readStmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return db.read.QueryContext(ctx, db.q(query), args...)
}

// QueryRowContext runs a one-row read query on the reader pool.
func (db *DB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := db.readStmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return db.read.QueryRowContext(ctx, db.q(query), args...)
}

// readStmt returns the reader pool's prepared statement for query, or nil
// when the cache is full or the query does not prepare (it then runs
// unprepared and reports its own error). On SQLite parsing is a large part
// of a small read's cost; database/sql prepares the statement once on each
// pooled connection that runs it. PostgreSQL's driver caches statements
// itself.
func (db *DB) readStmt(ctx context.Context, query string) *sql.Stmt {
	if db.Dialect != SQLite {
		return nil
	}
	if v, ok := db.readStmts.Load(query); ok {
		return v.(*sql.Stmt)
	}
	if db.nreadStmts.Load() >= maxStmts {
		return nil
	}
	st, err := db.read.PrepareContext(ctx, db.q(query))
	if err != nil {
		return nil
	}
	if v, loaded := db.readStmts.LoadOrStore(query, st); loaded {
		st.Close()
		return v.(*sql.Stmt)
	}
	db.nreadStmts.Add(1)
	return st
}

// Micros returns t as microseconds since the Unix epoch, the stored form of
// every time; the zero time is 0.
func Micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// FromMicros returns the UTC time of a stored value; 0 is the zero time.
func FromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

func fsSub(f fs.FS, dir string) (fs.FS, error) { return fs.Sub(f, dir) }
