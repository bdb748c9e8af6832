package vault

import (
	"context"
	"fmt"

	"github.com/kessai/kessai/sqlstore"
)

// sweepBatch bounds the rows one sweep transaction changes, so that the
// writer is never held long. Tests lower it.
var sweepBatch = 1000

// Sweep destroys the security codes of expired tokens (sets them to NULL),
// in batches, and returns how many it destroyed. The server calls it
// periodically ([Vault.Run] does). Fails if the database fails; the codes
// destroyed before the failure stay destroyed.
func (v *Vault) Sweep(ctx context.Context) (int, error) {
	total := 0
	for {
		var n int64
		err := v.db.Write(ctx, func(tx *sqlstore.Tx) error {
			res, err := tx.Exec(`UPDATE tokens SET security_code_ciphertext = NULL, key_id = NULL
				WHERE id IN (SELECT id FROM tokens
					WHERE security_code_ciphertext IS NOT NULL AND expires_at <= $1 LIMIT $2)`,
				sqlstore.Micros(tx.Now), sweepBatch)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return total, fmt.Errorf("vault: sweep: %w", err)
		}
		total += int(n)
		if n < int64(sweepBatch) {
			return total, nil
		}
	}
}
