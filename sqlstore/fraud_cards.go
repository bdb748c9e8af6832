package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// SeeFraudCard records, in the write that stores a charge, that the account
// has screened a charge of the card fingerprint fp, and reports whether it
// had before (false: the card is new to the merchant).
func (tx *Tx) SeeFraudCard(accountID string, livemode bool, fp string) (seenBefore bool, err error) {
	res, err := tx.Exec(`INSERT INTO fraud_cards (account_id, livemode, fingerprint, first_seen) VALUES ($1, $2, $3, $4)
		ON CONFLICT DO NOTHING`, accountID, livemode, fp, Micros(tx.Now))
	if err != nil {
		return false, fmt.Errorf("see fraud card: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("see fraud card: %w", err)
	}
	return n == 0, nil
}

// FraudCardSeen reports whether the account has screened a charge of the
// card fingerprint fp before (committed).
func (db *DB) FraudCardSeen(ctx context.Context, accountID string, livemode bool, fp string) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM fraud_cards WHERE account_id = $1 AND livemode = $2 AND fingerprint = $3`,
		accountID, livemode, fp).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("fraud card seen: %w", err)
	}
	return n > 0, nil
}

// FraudDecisionInputs calls fn with each stored fraud decision of the
// account and mode (every account when accountID is ""), created from
// from to before to, oldest first: its charge, its action and its inputs
// (nil when stored without). It stops at fn's first false.
func (db *DB) FraudDecisionInputs(ctx context.Context, accountID string, livemode bool, from, to time.Time, fn func(charge, action string, inputs []byte) bool) error {
	rows, err := db.QueryContext(ctx, `SELECT charge_id, action, inputs FROM fraud_decisions
		WHERE ($1 = '' OR account_id = $1) AND livemode = $2 AND created_at >= $3 AND created_at < $4
		ORDER BY created_at, charge_id`, accountID, livemode, Micros(from), Micros(to))
	if err != nil {
		return fmt.Errorf("fraud decision inputs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var charge, action string
		var inputs sql.NullString
		if err := rows.Scan(&charge, &action, &inputs); err != nil {
			return fmt.Errorf("fraud decision inputs: %w", err)
		}
		var b []byte
		if inputs.Valid {
			b = []byte(inputs.String)
		}
		if !fn(charge, action, b) {
			break
		}
	}
	return rows.Err()
}
