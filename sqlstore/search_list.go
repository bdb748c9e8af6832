package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kessai/kessai"
)

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

// epoch is the default start of a list.
var epoch = time.Unix(0, 0).UTC()

// NormalizeList returns p with the defaults of the Omise API: From the Unix
// epoch, To now, Limit 20 (at most 100), Offset at least 0, chronological
// order.
func NormalizeList(p kessai.ListParams, now time.Time) kessai.ListParams {
	if p.From.IsZero() {
		p.From = epoch
	}
	if p.To.IsZero() {
		p.To = now.UTC()
	}
	if p.Limit <= 0 {
		p.Limit = kessai.DefaultListLimit
	}
	if p.Limit > kessai.MaxListLimit {
		p.Limit = kessai.MaxListLimit
	}
	if p.Offset < 0 {
		p.Offset = 0
	}
	if p.Order != kessai.ReverseChronological {
		p.Order = kessai.Chronological
	}
	return p
}

// listQuery is one page of rows of table whose where clause (on $1…$n, with
// args) selects a scope; the page is then cut by created_at, ordered by
// created_at and id, and limited.
type listQuery struct {
	table string
	cols  string
	where string
	args  []any
}

// page runs q for the page p (already normalized), calling scan for each row,
// and returns the number of rows from p.From to p.To.
func (db *DB) page(ctx context.Context, q listQuery, p kessai.ListParams, scan func(rowScanner) error) (int, error) {
	n := len(q.args)
	where := fmt.Sprintf("%s AND created_at >= $%d AND created_at < $%d", q.where, n+1, n+2)
	args := append(append([]any{}, q.args...), Micros(p.From), listEnd(p.To))
	var total int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+q.table+` WHERE `+where, args...).Scan(&total); err != nil {
		return 0, fmt.Errorf("count %s: %w", q.table, err)
	}
	if total <= p.Offset {
		return total, nil
	}
	dir := "ASC"
	if p.Order == kessai.ReverseChronological {
		dir = "DESC"
	}
	query := fmt.Sprintf("SELECT %s FROM %s WHERE %s ORDER BY created_at %s, id %s LIMIT $%d OFFSET $%d",
		q.cols, q.table, where, dir, dir, n+3, n+4)
	rows, err := db.QueryContext(ctx, query, append(args, p.Limit, p.Offset)...)
	if err != nil {
		return 0, fmt.Errorf("list %s: %w", q.table, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return 0, fmt.Errorf("list %s: %w", q.table, err)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("list %s: %w", q.table, err)
	}
	return total, nil
}

// listEnd returns the stored form of the first instant after a list's To.
// The API shows times in whole seconds, so a To in whole seconds takes in
// its whole second: a list "to" 12:00:00Z holds a charge made at
// 12:00:00.5.
func listEnd(to time.Time) int64 {
	if to.Equal(to.Truncate(time.Second)) {
		return Micros(to) + int64(time.Second/time.Microsecond)
	}
	return Micros(to) + 1
}

// placeholders returns "$from, $from+1, …" for n values.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(from+i))
	}
	return b.String()
}

// timeArg returns the stored form of a nullable time.
func timeArg(t *kessai.Time) any {
	if t == nil {
		return nil
	}
	return Micros(t.Time)
}

// timeOf returns a stored nullable time.
func timeOf(v sql.NullInt64) *kessai.Time {
	if !v.Valid {
		return nil
	}
	return &kessai.Time{Time: FromMicros(v.Int64)}
}

// jsonArg returns v as JSON text, or NULL for a nil v.
func jsonArg(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if string(b) == "null" {
		return nil, nil
	}
	return string(b), nil
}

// metadataOf decodes stored metadata; bad JSON becomes an empty object.
func metadataOf(s string) kessai.Metadata {
	m := kessai.Metadata{}
	if s != "" {
		json.Unmarshal([]byte(s), &m)
	}
	return m
}

// likeArg returns a LIKE pattern matching s anywhere, lowercased, with the
// LIKE wildcards escaped by backslash.
func likeArg(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}
