package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// maxBatch bounds how many write transactions share one commit.
const maxBatch = 128

// Tx is one write transaction inside a group commit. Its statements use $N
// placeholders. Now is fixed for the whole transaction.
type Tx struct {
	db  *DB
	tx  *sql.Tx
	ctx context.Context
	Now time.Time
	// after runs once the batch has committed.
	after []func()
}

type writeOp struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan error
	tx   *Tx
}

// ErrClosed is returned by writes after [DB.Close].
var ErrClosed = errors.New("sqlstore: database closed")

// Write runs fn in a write transaction and returns after it has committed
// durably, or failed. fn runs exactly once, on the writer goroutine, together
// with other callers' transactions; an error from fn rolls back fn's changes
// only, and is returned. fn must not block on anything but the database.
func (db *DB) Write(ctx context.Context, fn func(tx *Tx) error) error {
	op := &writeOp{ctx: ctx, fn: fn, done: make(chan error, 1)}
	// Closed first: the queue has room after the writer stopped, and an
	// op queued then would wait forever.
	select {
	case <-db.done:
		return ErrClosed
	default:
	}
	select {
	case db.queue <- op:
	case <-db.done:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, wait for the outcome even if ctx ends: the caller must
	// learn whether its write committed.
	err := <-op.done
	if err == nil {
		for _, f := range op.tx.after {
			f()
		}
	}
	return err
}

// AfterCommit registers f to run, in the caller's goroutine, once this
// transaction has committed. It is not run if the transaction fails.
func (tx *Tx) AfterCommit(f func()) { tx.after = append(tx.after, f) }

func (db *DB) writer() {
	defer db.wg.Done()
	batch := make([]*writeOp, 0, maxBatch)
	for {
		batch = batch[:0]
		select {
		case op := <-db.queue:
			batch = append(batch, op)
		case <-db.done:
			// Drain what is queued, then stop.
			for {
				select {
				case op := <-db.queue:
					db.commit([]*writeOp{op})
				default:
					return
				}
			}
		}
	fill:
		for len(batch) < maxBatch {
			select {
			case op := <-db.queue:
				batch = append(batch, op)
			default:
				break fill
			}
		}
		db.commit(batch)
		db.restartWAL()
	}
}

// commit runs the batch in one transaction, each op in its own savepoint
// (none when the batch has one op), and reports each op's outcome.
func (db *DB) commit(batch []*writeOp) {
	ctx := context.Background()
	errs := make([]error, len(batch))
	fail := func(err error) {
		for _, op := range batch {
			op.done <- err
		}
	}
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		fail(fmt.Errorf("begin: %w", err))
		return
	}
	now := db.Now().UTC().Truncate(time.Microsecond)
	single := len(batch) == 1
	// ctl runs the savepoint statements, prepared like any other.
	ctl := &Tx{db: db, tx: sqlTx, ctx: ctx}
	for i, op := range batch {
		op.tx = &Tx{db: db, tx: sqlTx, ctx: op.ctx, Now: now}
		if err := op.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if single {
			errs[i] = db.run(op)
			continue
		}
		if _, err := ctl.ExecContext(ctx, "SAVEPOINT op"); err != nil {
			sqlTx.Rollback()
			fail(fmt.Errorf("savepoint: %w", err))
			return
		}
		errs[i] = db.run(op)
		stmt := "RELEASE SAVEPOINT op"
		if errs[i] != nil {
			stmt = "ROLLBACK TO SAVEPOINT op"
		}
		if _, err := ctl.ExecContext(ctx, stmt); err != nil {
			sqlTx.Rollback()
			fail(fmt.Errorf("savepoint: %w", err))
			return
		}
		if errs[i] != nil {
			if _, err := ctl.ExecContext(ctx, "RELEASE SAVEPOINT op"); err != nil {
				sqlTx.Rollback()
				fail(fmt.Errorf("savepoint: %w", err))
				return
			}
		}
	}
	if single && errs[0] != nil {
		sqlTx.Rollback()
		batch[0].done <- errs[0]
		return
	}
	start := time.Now()
	if err := sqlTx.Commit(); err != nil {
		fail(fmt.Errorf("commit: %w", err))
		return
	}
	db.observeCommit(start, len(batch))
	for i, op := range batch {
		op.done <- errs[i]
	}
	if len(db.toPrepare) > 0 {
		db.prepareNoted()
	}
}

// run calls op.fn, turning a panic into an error so that one bad write
// cannot stop the writer.
func (db *DB) run(op *writeOp) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("write panicked: %v", r)
		}
	}()
	return op.fn(op.tx)
}

// stmt returns the prepared statement for query in this transaction, or
// false when there is none yet. On SQLite the writer's statements are
// prepared once on its single connection and reused by every transaction
// (preparing is a large share of a small INSERT's cost). A statement cannot
// be prepared while the transaction holds that connection, so a miss is
// noted here and prepared after the batch commits ([DB.prepareNoted]).
// PostgreSQL's driver caches prepared statements itself.
func (tx *Tx) stmt(ctx context.Context, query string) (*sql.Stmt, bool) {
	if tx.db.Dialect != SQLite {
		return nil, false
	}
	v, ok := tx.db.stmts.Load(query)
	if !ok {
		tx.db.toPrepare[query] = struct{}{}
		return nil, false
	}
	return tx.tx.StmtContext(ctx, v.(*sql.Stmt)), true
}

// prepareNoted prepares the statements noted during the last batch, on the
// writer's connection, which is free again. At most maxStmts are kept, so
// that generated queries cannot grow the cache without bound. Failures are
// ignored: the statement keeps running unprepared and reports its own error.
func (db *DB) prepareNoted() {
	for query := range db.toPrepare {
		delete(db.toPrepare, query)
		if db.nstmts >= maxStmts {
			continue
		}
		if st, err := db.write.Prepare(db.q(query)); err == nil {
			db.stmts.Store(query, st)
			db.nstmts++
		}
	}
}

// maxStmts bounds the writer's prepared-statement cache.
const maxStmts = 512

// ExecContext runs a statement in the transaction.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st, ok := tx.stmt(ctx, query); ok {
		return st.ExecContext(ctx, args...)
	}
	return tx.tx.ExecContext(ctx, tx.db.q(query), args...)
}

// Exec runs a statement in the transaction with the caller's context.
func (tx *Tx) Exec(query string, args ...any) (sql.Result, error) {
	return tx.ExecContext(tx.ctx, query, args...)
}

// QueryRow runs a one-row query in the transaction.
func (tx *Tx) QueryRow(query string, args ...any) *sql.Row {
	if st, ok := tx.stmt(tx.ctx, query); ok {
		return st.QueryRowContext(tx.ctx, args...)
	}
	return tx.tx.QueryRowContext(tx.ctx, tx.db.q(query), args...)
}

// Query runs a query in the transaction.
func (tx *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	if st, ok := tx.stmt(tx.ctx, query); ok {
		return st.QueryContext(tx.ctx, args...)
	}
	return tx.tx.QueryContext(tx.ctx, tx.db.q(query), args...)
}

// Context returns the context of the caller of [DB.Write].
func (tx *Tx) Context() context.Context { return tx.ctx }

// Dialect returns the database's dialect.
func (tx *Tx) Dialect() Dialect { return tx.db.Dialect }
