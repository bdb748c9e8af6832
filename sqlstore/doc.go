// Package sqlstore implements Kessai's storage on database/sql, for two
// dialects: SQLite (modernc.org/sqlite, embedded, WAL with synchronous=FULL)
// and PostgreSQL (pgx). Queries are written once with $N placeholders and
// rewritten for SQLite.
//
// Writes go through group-commit writers ([DB.Write]): concurrent write
// transactions are batched into one database transaction, each inside its own
// savepoint, so that a batch costs one durable commit. A write is
// acknowledged only after its batch has committed. SQLite has one writer, so
// its write transactions are serial; PostgreSQL has a few, and other nodes
// write to the same database too, so write code claims rows with conditional
// updates (UPDATE … WHERE status = …) and never relies on being alone.
//
// Times are stored as BIGINT microseconds since the Unix epoch, UTC.
package sqlstore
