package sqlstore

import (
	"context"

	"github.com/kessai/kessai"
)

// ListReviewCharges returns a page of an account's charges whose fraud
// decision was review: with open, only those still authorized and
// uncaptured (pending with an authorization).
func (db *DB) ListReviewCharges(ctx context.Context, accountID string, livemode bool, open bool, p kessai.ListParams) (*kessai.List[*kessai.Charge], error) {
	p = NormalizeList(p, db.Now())
	where := `account_id = $1 AND livemode = $2 AND id IN (SELECT charge_id FROM fraud_decisions
		WHERE account_id = $1 AND livemode = $2 AND action = 'review')`
	if open {
		where += ` AND status = 'pending' AND authorized_at IS NOT NULL`
	}
	var data []*kessai.Charge
	total, err := db.page(ctx, listQuery{table: "charges", cols: chargeCols, where: where, args: []any{accountID, livemode}},
		p, func(r rowScanner) error {
			c, err := scanCharge(r)
			data = append(data, c)
			return err
		})
	if err != nil {
		return nil, err
	}
	if err := db.attachRefunds(ctx, data); err != nil {
		return nil, err
	}
	return kessai.NewList("/fraud/reviews", p, data, total), nil
}
