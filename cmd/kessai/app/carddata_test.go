package app_test

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/kessai/kessai/internal/dbtest"
)

// testNumbers are real-format test card numbers of every brand.
var testNumbers = []string{
	"4242424242424242", "4111111111111111", "5555555555554444", "5454545454545454",
	"3530111333300000", "3566111111111113", "378282246310005", "6447032400000000001",
	"36021042000004", "6250947000000006",
}

// TestCardNumbersNeverInClear creates tokens for every test card through the
// HTTP API (form and JSON, good and bad requests), then scans every log
// line, every response, every byte of the SQLite files and every value of
// every PostgreSQL table: no card number appears in clear, nor as hex.
func TestCardNumbersNeverInClear(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		p := startPlatform(t, dsn)
		pk := p.creds.PublicKey
		var responses []string
		for i, n := range testNumbers {
			code := "123"
			if strings.HasPrefix(n, "37") {
				code = "1234"
			}
			var res response
			if i%2 == 0 {
				res = p.do("POST", "/tokens", pk, cardForm(n, "12", "2031", code))
			} else {
				res = p.do("POST", "/tokens", pk, fmt.Sprintf(`{"card":{"name":"Hanako","number":"%s","expiration_month":12,"expiration_year":2031,"security_code":"%s"}}`, n, code))
			}
			if res.Status != 200 || res.Object["object"] != "token" {
				t.Fatalf("token for %s…: %d %s", n[:4], res.Status, res.Body)
			}
			responses = append(responses, res.Body)
			id := res.Object["id"].(string)
			responses = append(responses, p.do("GET", "/tokens/"+id, pk, nil).Body)
			// Bad requests that carry the number: the error must not echo it.
			for _, bad := range []any{
				cardForm(n, "13", "2031", code),
				cardForm(n, "01", "2020", code),
				cardForm(n, "12", "2031", "12345"),
				`{"card":{"number":"` + n + `"`,
			} {
				res := p.do("POST", "/tokens", pk, bad)
				if res.Status != 400 {
					t.Errorf("bad request: %d %s", res.Status, res.Body)
				}
				responses = append(responses, res.Body)
			}
			// The wrong key kind, with a card number in the body.
			responses = append(responses, p.do("POST", "/tokens", p.creds.SecretKey, cardForm(n, "12", "2031", code)).Body)
		}
		check := func(where, s string) {
			t.Helper()
			for _, n := range testNumbers {
				if strings.Contains(s, n) || strings.Contains(strings.ToLower(s), hex.EncodeToString([]byte(n))) {
					t.Errorf("%s holds card number %s…%s", where, n[:4], n[len(n)-4:])
				}
			}
		}
		for _, r := range responses {
			check("a response", r)
		}
		check("the log", p.logs.String())
		if !strings.Contains(p.logs.String(), `"msg"`) {
			t.Error("no log lines were captured")
		}
		if strings.HasPrefix(dsn, "sqlite:") {
			scanSQLite(t, strings.TrimPrefix(dsn, "sqlite:"), check)
			p.Close()
			scanSQLite(t, strings.TrimPrefix(dsn, "sqlite:"), check)
			scanSQLite(t, filepath.Join(p.dir, "issuer.db"), check)
		} else {
			scanPostgres(t, dsn, check)
		}
	})
}

// scanSQLite checks every byte of the database file and its WAL and shared
// memory files.
func scanSQLite(t *testing.T, path string, check func(where, s string)) {
	t.Helper()
	seen := 0
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		b, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		seen += len(b)
		check(filepath.Base(f), string(b))
	}
	if seen == 0 && !strings.HasSuffix(path, "issuer.db") {
		t.Errorf("no database bytes at %s", path)
	}
}

// scanPostgres checks every column of every row of every table, as text
// (bytea comes out as hex, which check also looks for).
func scanPostgres(t *testing.T, dsn string, check func(where, s string)) {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	rows, err := db.QueryContext(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		rows.Scan(&name)
		tables = append(tables, name)
	}
	rows.Close()
	total := 0
	for _, table := range tables {
		r, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT t::text FROM %q t`, table))
		if err != nil {
			t.Fatal(err)
		}
		for r.Next() {
			var s string
			r.Scan(&s)
			total++
			check("postgres table "+table, s)
		}
		r.Close()
	}
	if total == 0 {
		t.Error("no rows scanned")
	}
}
