package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/kessai/kessai"
)

// where builds a conjunction of conditions whose "?" markers become $N
// placeholders in order.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(expr string, args ...any) {
	var b strings.Builder
	n := 0
	for i := 0; i < len(expr); i++ {
		if expr[i] == '?' {
			b.WriteString("$" + strconv.Itoa(len(w.args)+n+1))
			n++
			continue
		}
		b.WriteByte(expr[i])
	}
	w.conds = append(w.conds, b.String())
	w.args = append(w.args, args...)
}

// text adds a condition that the lowercased query occurs in one of exprs.
func (w *where) text(query string, exprs ...string) {
	if query == "" {
		return
	}
	like := likeArg(query)
	parts := make([]string, len(exprs))
	args := make([]any, len(exprs))
	for i, e := range exprs {
		parts[i] = "lower(COALESCE(" + e + ", '')) LIKE ? ESCAPE '\\'"
		args[i] = like
	}
	w.add("("+strings.Join(parts, " OR ")+")", args...)
}

func (w *where) created(r *kessai.TimeRange) {
	if r == nil {
		return
	}
	if !r.From.IsZero() {
		w.add("created_at >= ?", Micros(r.From))
	}
	if !r.To.IsZero() {
		w.add("created_at < ?", Micros(r.To))
	}
}

// amount adds a range of col in hundredths of the main unit.
func (w *where) amount(col string, r *kessai.AmountRange) {
	if r == nil {
		return
	}
	w.add("(CASE WHEN currency = 'jpy' THEN "+col+" * 100 ELSE "+col+" END) BETWEEN ? AND ?", r.Min, r.Max)
}

func (w *where) flag(b *bool, yes, no string) {
	if b == nil {
		return
	}
	if *b {
		w.add(yes)
	} else {
		w.add(no)
	}
}

func (w *where) eq(col, v string) {
	if v != "" {
		w.add(col+" = ?", v)
	}
}

func (w *where) String() string { return strings.Join(w.conds, " AND ") }

// jsonField returns an expression reading a string field of a JSON text
// column.
func (db *DB) jsonField(col, field string) string {
	if db.Dialect == Postgres {
		return "(CAST(" + col + " AS JSONB) ->> '" + field + "')"
	}
	// char(36) is "$": a literal dollar sign would be taken for a placeholder.
	return "json_extract(" + col + ", char(36) || '." + field + "')"
}

// search runs a search query on table with cols, for the page of p, calling
// scan for each row, and returns the number of matches.
func (db *DB) search(ctx context.Context, table, cols string, w *where, p *kessai.SearchParams, scan func(rowScanner) error) (int, error) {
	var total int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE `+w.String(), w.args...).Scan(&total); err != nil {
		return 0, fmt.Errorf("search %s: %w", table, err)
	}
	if total <= p.Offset() {
		return total, nil
	}
	dir := "DESC"
	if p.Order == kessai.Chronological {
		dir = "ASC"
	}
	n := len(w.args)
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM %s WHERE %s ORDER BY created_at %s, id %s LIMIT $%d OFFSET $%d`,
		cols, table, w.String(), dir, dir, n+1, n+2), append(w.args, p.PerPage, p.Offset())...)
	if err != nil {
		return 0, fmt.Errorf("search %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return 0, fmt.Errorf("search %s: %w", table, err)
		}
	}
	return total, rows.Err()
}

// SearchCharges returns the page of p (normalized) of the charges of the
// account and mode that contain p.Query in their id, description, failure
// message, metadata, card name, card bank, card last digits or customer id,
// and match f; and the number of all matches.
func (db *DB) SearchCharges(ctx context.Context, accountID string, livemode bool, p *kessai.SearchParams, f *kessai.ChargeFilter) ([]*kessai.Charge, int, error) {
	w := &where{}
	w.add("account_id = ? AND livemode = ?", accountID, livemode)
	w.text(p.Query, "id", "description", "failure_message", "metadata", "card_last_digits", "customer_id",
		db.jsonField("card", "name"), db.jsonField("card", "bank"))
	if f == nil {
		f = &kessai.ChargeFilter{}
	}
	w.amount("amount", f.Amount)
	w.amount("refunded_amount", f.RefundAmount)
	w.created(f.Created)
	w.flag(f.Authorized, "(authorized_at IS NOT NULL AND status <> 'failed')", "(authorized_at IS NULL OR status = 'failed')")
	w.flag(f.Captured, "status = 'successful'", "status <> 'successful'")
	w.flag(f.Refunded, "refunded_amount > 0", "refunded_amount = 0")
	w.flag(f.Reversed, "status = 'reversed'", "status <> 'reversed'")
	w.flag(f.Voided, "status = 'reversed'", "status <> 'reversed'")
	w.flag(f.Expired, "status = 'expired'", "status <> 'expired'")
	w.flag(f.Disputed, "1 = 0", "1 = 1")
	w.flag(f.CustomerPresent, "customer_id IS NOT NULL", "customer_id IS NULL")
	w.eq("card_last_digits", f.CardLastDigits)
	w.eq("currency", f.Currency)
	w.eq("customer_id", f.Customer)
	w.eq("failure_code", f.FailureCode)
	w.eq("status", string(f.Status))
	var data []*kessai.Charge
	total, err := db.search(ctx, "charges", chargeCols, w, p, func(r rowScanner) error {
		c, err := scanCharge(r)
		data = append(data, c)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	if err := db.attachRefunds(ctx, data); err != nil {
		return nil, 0, err
	}
	return data, total, nil
}

// SearchCustomers returns the page of p (normalized) of the customers of the
// account and mode, deleted ones left out, that contain p.Query in their id,
// email, description or metadata and match f; and the number of all matches.
func (db *DB) SearchCustomers(ctx context.Context, accountID string, livemode bool, p *kessai.SearchParams, f *kessai.CustomerFilter) ([]*kessai.Customer, int, error) {
	w := &where{}
	w.add("account_id = ? AND livemode = ? AND deleted = FALSE", accountID, livemode)
	w.text(p.Query, "id", "email", "description", "metadata")
	if f == nil {
		f = &kessai.CustomerFilter{}
	}
	w.created(f.Created)
	if f.Email != "" {
		w.add("lower(email) = ?", f.Email)
	}
	var data []*kessai.Customer
	total, err := db.search(ctx, "customers", customerCols, w, p, func(r rowScanner) error {
		c, err := scanCustomer(r)
		data = append(data, c)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	if err := db.attachCards(ctx, data); err != nil {
		return nil, 0, err
	}
	return data, total, nil
}

// SearchRefunds returns the page of p (normalized) of the refunds of the
// account and mode, failed ones left out, that contain p.Query in their id,
// charge id or metadata and match f; and the number of all matches.
func (db *DB) SearchRefunds(ctx context.Context, accountID string, livemode bool, p *kessai.SearchParams, f *kessai.RefundFilter) ([]*kessai.Refund, int, error) {
	w := &where{}
	w.add("account_id = ? AND livemode = ? AND status <> 'failed'", accountID, livemode)
	w.text(p.Query, "id", "charge_id", "metadata")
	if f == nil {
		f = &kessai.RefundFilter{}
	}
	w.amount("amount", f.Amount)
	w.created(f.Created)
	w.eq("currency", f.Currency)
	w.eq("charge_id", f.Charge)
	w.flag(f.Voided, "voided = TRUE", "voided = FALSE")
	var data []*kessai.Refund
	total, err := db.search(ctx, "refunds", refundCols, w, p, func(r rowScanner) error {
		f, err := scanRefund(r)
		data = append(data, f)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return data, total, nil
}
