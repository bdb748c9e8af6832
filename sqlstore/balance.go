package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kessai/kessai"
)

// Balances returns the balance of the account and mode in every currency it
// has transactions in, summed from the ledger at now, by currency.
func (db *DB) Balances(ctx context.Context, accountID string, livemode bool, now time.Time) ([]*kessai.Balance, error) {
	rows, err := db.QueryContext(ctx, `SELECT currency,
		CAST(COALESCE(SUM(CASE WHEN direction = 'credit' THEN amount ELSE -amount END), 0) AS BIGINT),
		CAST(COALESCE(SUM(CASE WHEN direction = 'debit' THEN -amount WHEN transferable_at <= $3 THEN amount ELSE 0 END), 0) AS BIGINT)
		FROM transactions WHERE account_id = $1 AND livemode = $2 GROUP BY currency ORDER BY currency`,
		accountID, livemode, Micros(now))
	if err != nil {
		return nil, fmt.Errorf("balances: %w", err)
	}
	defer rows.Close()
	var out []*kessai.Balance
	for rows.Next() {
		b := &kessai.Balance{Livemode: livemode, CreatedAt: kessai.Time{Time: now.UTC().Truncate(time.Second)}}
		if err := rows.Scan(&b.Currency, &b.Total, &b.Transferable); err != nil {
			return nil, fmt.Errorf("balances: %w", err)
		}
		b.Derive()
		out = append(out, b)
	}
	return out, rows.Err()
}

// Balance returns the balance of the account and mode in currency at now;
// a currency without transactions has a zero balance.
func (db *DB) Balance(ctx context.Context, accountID string, livemode bool, currency string, now time.Time) (*kessai.Balance, error) {
	all, err := db.Balances(ctx, accountID, livemode, now)
	if err != nil {
		return nil, err
	}
	currency = strings.ToLower(currency)
	for _, b := range all {
		if b.Currency == currency {
			return b, nil
		}
	}
	b := &kessai.Balance{Livemode: livemode, Currency: currency, CreatedAt: kessai.Time{Time: now.UTC().Truncate(time.Second)}}
	b.Derive()
	return b, nil
}
