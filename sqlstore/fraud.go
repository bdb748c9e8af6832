package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/kessai/kessai"
)

// The fraud engine's store (fraud.Store): rules, rule counters, list
// entries and decisions.

const fraudRuleCols = `account_id, livemode, id, rule, description, enabled, shadow, created_at, updated_at`

func scanFraudRule(r rowScanner) (*kessai.FraudRule, error) {
	f := &kessai.FraudRule{Object: "fraud_rule"}
	var created, updated int64
	if err := r.Scan(&f.AccountID, &f.Livemode, &f.ID, &f.Rule, &f.Description, &f.Enabled, &f.Shadow, &created, &updated); err != nil {
		return nil, err
	}
	f.CreatedAt = kessai.Time{Time: FromMicros(created)}
	f.UpdatedAt = kessai.Time{Time: FromMicros(updated)}
	return f, nil
}

// FraudRules returns the stored rules of an account and mode, oldest first.
func (db *DB) FraudRules(ctx context.Context, accountID string, livemode bool) ([]*kessai.FraudRule, error) {
	rows, err := db.QueryContext(ctx, `SELECT `+fraudRuleCols+` FROM fraud_rules WHERE account_id = $1 AND livemode = $2 ORDER BY created_at, id`, accountID, livemode)
	if err != nil {
		return nil, fmt.Errorf("fraud rules: %w", err)
	}
	defer rows.Close()
	var out []*kessai.FraudRule
	for rows.Next() {
		r, err := scanFraudRule(rows)
		if err != nil {
			return nil, fmt.Errorf("fraud rules: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// FindFraudRule returns a stored rule. Returns ENotFound.
func (db *DB) FindFraudRule(ctx context.Context, accountID string, livemode bool, id string) (*kessai.FraudRule, error) {
	r, err := scanFraudRule(db.QueryRowContext(ctx, `SELECT `+fraudRuleCols+` FROM fraud_rules WHERE account_id = $1 AND livemode = $2 AND id = $3`, accountID, livemode, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kessai.NotFound("fraud rule", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find fraud rule: %w", err)
	}
	return r, nil
}

// PutFraudRule inserts a rule or replaces the stored one with its account,
// mode and id.
func (db *DB) PutFraudRule(ctx context.Context, r *kessai.FraudRule) error {
	return db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO fraud_rules (`+fraudRuleCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (account_id, livemode, id) DO UPDATE SET rule = excluded.rule, description = excluded.description,
			enabled = excluded.enabled, shadow = excluded.shadow, updated_at = excluded.updated_at`,
			r.AccountID, r.Livemode, r.ID, r.Rule, r.Description, r.Enabled, r.Shadow, Micros(r.CreatedAt.Time), Micros(r.UpdatedAt.Time))
		if err != nil {
			return fmt.Errorf("put fraud rule: %w", err)
		}
		return nil
	})
}

// DeleteFraudRule deletes a stored rule and its counters. Returns ENotFound.
func (db *DB) DeleteFraudRule(ctx context.Context, accountID string, livemode bool, id string) error {
	return db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`DELETE FROM fraud_rules WHERE account_id = $1 AND livemode = $2 AND id = $3`, accountID, livemode, id)
		if err != nil {
			return fmt.Errorf("delete fraud rule: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return kessai.NotFound("fraud rule", id)
		}
		if _, err := tx.Exec(`DELETE FROM fraud_rule_stats WHERE account_id = $1 AND livemode = $2 AND rule_id = $3`, accountID, livemode, id); err != nil {
			return fmt.Errorf("delete fraud rule: %w", err)
		}
		return nil
	})
}

// FraudRuleStats returns the stored counters of an account's rules.
func (db *DB) FraudRuleStats(ctx context.Context, accountID string, livemode bool) ([]kessai.FraudRuleStats, error) {
	rows, err := db.QueryContext(ctx, `SELECT rule_id, fired, blocked, reviewed FROM fraud_rule_stats WHERE account_id = $1 AND livemode = $2`, accountID, livemode)
	if err != nil {
		return nil, fmt.Errorf("fraud rule stats: %w", err)
	}
	defer rows.Close()
	var out []kessai.FraudRuleStats
	for rows.Next() {
		s := kessai.FraudRuleStats{AccountID: accountID, Livemode: livemode}
		if err := rows.Scan(&s.RuleID, &s.Fired, &s.Blocked, &s.Reviewed); err != nil {
			return nil, fmt.Errorf("fraud rule stats: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// AddFraudRuleStats adds deltas to the stored counters, in one transaction.
func (db *DB) AddFraudRuleStats(ctx context.Context, deltas []kessai.FraudRuleStats) error {
	return db.Write(ctx, func(tx *Tx) error {
		for _, d := range deltas {
			_, err := tx.Exec(`INSERT INTO fraud_rule_stats (account_id, livemode, rule_id, fired, blocked, reviewed) VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (account_id, livemode, rule_id) DO UPDATE SET fired = fraud_rule_stats.fired + excluded.fired,
				blocked = fraud_rule_stats.blocked + excluded.blocked, reviewed = fraud_rule_stats.reviewed + excluded.reviewed`,
				d.AccountID, d.Livemode, d.RuleID, d.Fired, d.Blocked, d.Reviewed)
			if err != nil {
				return fmt.Errorf("add fraud rule stats: %w", err)
			}
		}
		return nil
	})
}

const fraudItemCols = `id, account_id, livemode, list, type, value, enabled, created_at`

func scanFraudItem(r rowScanner) (*kessai.FraudListItem, error) {
	it := &kessai.FraudListItem{Object: "fraud_list_item"}
	var created int64
	if err := r.Scan(&it.ID, &it.AccountID, &it.Livemode, &it.List, &it.Type, &it.Value, &it.Enabled, &created); err != nil {
		return nil, err
	}
	it.CreatedAt = kessai.Time{Time: FromMicros(created)}
	return it, nil
}

// FraudListItems returns every list entry of an account and mode.
func (db *DB) FraudListItems(ctx context.Context, accountID string, livemode bool) ([]*kessai.FraudListItem, error) {
	rows, err := db.QueryContext(ctx, `SELECT `+fraudItemCols+` FROM fraud_list_items WHERE account_id = $1 AND livemode = $2`, accountID, livemode)
	if err != nil {
		return nil, fmt.Errorf("fraud list items: %w", err)
	}
	defer rows.Close()
	var out []*kessai.FraudListItem
	for rows.Next() {
		it, err := scanFraudItem(rows)
		if err != nil {
			return nil, fmt.Errorf("fraud list items: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// ListFraudListItems returns a page of an account's list entries, of one
// list ("block" or "allow") or of both (list "").
func (db *DB) ListFraudListItems(ctx context.Context, accountID string, livemode bool, list string, p kessai.ListParams) (*kessai.List[*kessai.FraudListItem], error) {
	p = NormalizeList(p, db.Now())
	q := listQuery{table: "fraud_list_items", cols: fraudItemCols, where: "account_id = $1 AND livemode = $2", args: []any{accountID, livemode}}
	if list != "" {
		q.where += " AND list = $3"
		q.args = append(q.args, list)
	}
	var data []*kessai.FraudListItem
	total, err := db.page(ctx, q, p, func(r rowScanner) error {
		it, err := scanFraudItem(r)
		data = append(data, it)
		return err
	})
	if err != nil {
		return nil, err
	}
	return kessai.NewList("/fraud/lists", p, data, total), nil
}

// InsertFraudListItem stores a new entry. Returns EConflict when the same
// list, type and value exist.
func (db *DB) InsertFraudListItem(ctx context.Context, it *kessai.FraudListItem) error {
	return db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`INSERT INTO fraud_list_items (`+fraudItemCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
			it.ID, it.AccountID, it.Livemode, it.List, it.Type, it.Value, it.Enabled, Micros(it.CreatedAt.Time))
		if err != nil {
			return fmt.Errorf("insert fraud list item: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return kessai.Errorf(kessai.EConflict, "%s is already on the %s list", it.Type, it.List)
		}
		return nil
	})
}

// FindFraudListItem returns an entry. Returns ENotFound.
func (db *DB) FindFraudListItem(ctx context.Context, accountID string, livemode bool, id string) (*kessai.FraudListItem, error) {
	it, err := scanFraudItem(db.QueryRowContext(ctx, `SELECT `+fraudItemCols+` FROM fraud_list_items WHERE id = $1 AND account_id = $2 AND livemode = $3`, id, accountID, livemode))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kessai.NotFound("fraud list item", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find fraud list item: %w", err)
	}
	return it, nil
}

// SetFraudListItemEnabled enables or disables an entry. Returns ENotFound.
func (db *DB) SetFraudListItemEnabled(ctx context.Context, accountID string, livemode bool, id string, enabled bool) error {
	return db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE fraud_list_items SET enabled = $4 WHERE id = $1 AND account_id = $2 AND livemode = $3`, id, accountID, livemode, enabled)
		if err != nil {
			return fmt.Errorf("update fraud list item: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return kessai.NotFound("fraud list item", id)
		}
		return nil
	})
}

// DeleteFraudListItem removes an entry. Returns ENotFound.
func (db *DB) DeleteFraudListItem(ctx context.Context, accountID string, livemode bool, id string) error {
	return db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`DELETE FROM fraud_list_items WHERE id = $1 AND account_id = $2 AND livemode = $3`, id, accountID, livemode)
		if err != nil {
			return fmt.Errorf("delete fraud list item: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return kessai.NotFound("fraud list item", id)
		}
		return nil
	})
}

// InsertFraudDecision stores the decision of a charge (d.Charge), in the
// transaction that stores the charge.
func (tx *Tx) InsertFraudDecision(accountID string, livemode bool, d *kessai.FraudDecision) error {
	if d.Charge == "" {
		return errors.New("insert fraud decision: no charge id")
	}
	if d.CreatedAt.IsZero() {
		d.CreatedAt = kessai.Time{Time: tx.Now}
	}
	rules, err := json.Marshal(d.Rules)
	if err != nil {
		return fmt.Errorf("insert fraud decision: %w", err)
	}
	reasons, err := json.Marshal(d.Reasons)
	if err != nil {
		return fmt.Errorf("insert fraud decision: %w", err)
	}
	var inputs *string
	if len(d.Inputs) > 0 {
		s := string(d.Inputs)
		inputs = &s
	}
	_, err = tx.Exec(`INSERT INTO fraud_decisions (charge_id, account_id, livemode, action, request_3ds, risk_score, risk_level, rules, reasons, created_at, inputs)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		d.Charge, accountID, livemode, string(d.Action), d.Request3DS, d.RiskScore, d.RiskLevel, string(rules), string(reasons), Micros(d.CreatedAt.Time), inputs)
	if err != nil {
		return fmt.Errorf("insert fraud decision: %w", err)
	}
	return nil
}

// FindFraudDecision returns the decision stored for a charge. Returns
// ENotFound.
func (db *DB) FindFraudDecision(ctx context.Context, accountID string, livemode bool, chargeID string) (*kessai.FraudDecision, error) {
	d := &kessai.FraudDecision{Object: "fraud_decision"}
	var action, rules, reasons string
	var created int64
	err := db.QueryRowContext(ctx, `SELECT charge_id, action, request_3ds, risk_score, risk_level, rules, reasons, created_at
		FROM fraud_decisions WHERE charge_id = $1 AND account_id = $2 AND livemode = $3`, chargeID, accountID, livemode).
		Scan(&d.Charge, &action, &d.Request3DS, &d.RiskScore, &d.RiskLevel, &rules, &reasons, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kessai.Errorf(kessai.ENotFound, "fraud decision of charge %s was not found", chargeID)
	}
	if err != nil {
		return nil, fmt.Errorf("find fraud decision: %w", err)
	}
	d.Action = kessai.FraudAction(action)
	d.CreatedAt = kessai.Time{Time: FromMicros(created)}
	if err := json.Unmarshal([]byte(rules), &d.Rules); err != nil {
		return nil, fmt.Errorf("find fraud decision: %w", err)
	}
	if err := json.Unmarshal([]byte(reasons), &d.Reasons); err != nil {
		return nil, fmt.Errorf("find fraud decision: %w", err)
	}
	return d, nil
}
