package issuersim

import (
	"context"

	"github.com/kessai/kessai/sqlstore"
)

// writeLockID names the PostgreSQL advisory lock that serializes the
// host's write transactions.
const writeLockID = 7305000583

// write runs fn in a write transaction of the host's database, serialized
// with every other write of the host: decisions read a balance or a stored
// answer and then act on it, which is only safe one at a time. SQLite has
// a single writer already; on PostgreSQL, where sqlstore runs several
// writers, each transaction first takes a transaction-scoped advisory lock,
// held until its batch commits.
func (s *Server) write(ctx context.Context, fn func(tx *sqlstore.Tx) error) error {
	return s.db.Write(ctx, func(tx *sqlstore.Tx) error {
		if tx.Dialect() == sqlstore.Postgres {
			if _, err := tx.Exec(`SELECT pg_advisory_xact_lock($1)`, int64(writeLockID)); err != nil {
				return err
			}
		}
		return fn(tx)
	})
}
