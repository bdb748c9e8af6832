// Package sqlstore implements Kessai's storage on database/sql, for two
// dialects: SQLite (modernc.org/sqlite, embedded, WAL with synchronous=FULL)
// and PostgreSQL (pgx). Queries are written once with $N placeholders and
// rewritten for SQLite.
//
// Writes go through one group-commit writer ([DB.Write]): concurrent write
// transactions are batched into one database transaction, each inside its own
// savepoint, so that a batch costs one durable commit. A write is
// acknowledged only after its batch has committed.
//
// Times are stored as BIGINT microseconds since the Unix epoch, UTC.
package sqlstore
