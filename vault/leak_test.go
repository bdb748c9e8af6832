package vault_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/card"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
	"github.com/kessai/kessai/vault"
)

// TestNoCardDataAtRest runs the vault through its whole life (create, find,
// use, reveal, rotate, sweep, invalid input) and then looks for the card
// numbers and the security code in clear: in every column of every row, in
// every byte of the SQLite files (including the WAL), in everything logged,
// and in the JSON and errors returned.
//
// The code is a four-digit American Express code: a three-digit one would
// appear by chance in a few megabytes of binary pages. Known random strings
// (ids, fingerprints) are blanked before searching, since they may contain
// the digits by chance too.
func TestNoCardDataAtRest(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := dbtest.Open(t, dsn)
		clk := useClock(db)
		var logs syncBuffer
		logger := newTextLogger(&logs)
		prev := slog.Default()
		slog.SetDefault(logger)
		t.Cleanup(func() { slog.SetDefault(prev) })

		v := openVault(t, db, vault.Config{Logger: logger, RefreshInterval: time.Millisecond})
		auth := newAccount(t, db)
		known := []string{auth.AccountID}
		var out bytes.Buffer // everything returned to a caller
		remember := func(tok *kessai.Token) {
			known = append(known, tok.ID, tok.Card.ID, tok.Card.Fingerprint)
			b, _ := json.Marshal(tok)
			out.Write(b)
			fmt.Fprintf(&out, "%v %+v %#v", tok, tok.Card, tok)
		}
		var toks []*kessai.Token
		for i := range 20 {
			raw := rawCard(amex, amexCode)
			raw.Email = "buyer@example.com"
			if i%4 == 3 {
				raw = rawCard(jcb, "")
			}
			tok := mustCreate(t, v, auth, raw)
			remember(tok)
			toks = append(toks, tok)
		}
		// Invalid input carrying the real number with one digit changed, or
		// a code in the wrong field.
		for _, raw := range []*card.RawInput{
			{Name: "X", Number: amex[:14] + "9", ExpirationMonth: "12", ExpirationYear: "2040"},
			{Name: "X", Number: amex, SecurityCode: amexCode + "1", ExpirationMonth: "12", ExpirationYear: "2040"},
			{Name: "X", Number: amex, SecurityCode: "7a91", ExpirationMonth: "12", ExpirationYear: "2040"},
		} {
			_, err := v.CreateToken(ctx, auth, raw, "")
			fmt.Fprintln(&out, err)
			logger.Info("create token failed", "err", err)
		}
		_, err := v.FindToken(ctx, auth, amex) // a number where an id belongs
		fmt.Fprintln(&out, err)
		logger.Info("find token failed", "err", err)

		for _, tok := range toks[:5] {
			found, err := v.FindToken(ctx, auth, tok.ID)
			if err != nil {
				t.Fatal(err)
			}
			remember(found)
			used, err := useToken(db, v, auth, tok.ID)
			if err != nil {
				t.Fatal(err)
			}
			remember(used)
			d := revealToken(t, db, v, tok.ID)
			// Logging the revealed data must mask it too.
			logger.Info("authorization request", "card", d, "number", d.Number, "code", d.SecurityCode)
			fmt.Fprintf(&out, "%v", d)
		}
		if err := v.Rotate(ctx, nil); err != nil {
			t.Fatal(err)
		}
		clk.Advance(vault.DefaultTokenLifetime)
		if _, err := v.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		for i := range 3 { // tokens made after the sweep still hold codes
			tok := mustCreate(t, v, auth, rawCard(amex, amexCode))
			remember(tok)
			_ = i
		}

		secrets := map[string]string{"card number": amex, "JCB number": jcb, "security code": amexCode}
		blank := func(b []byte) []byte {
			for _, k := range known {
				b = bytes.ReplaceAll(b, []byte(k), []byte("<known>"))
			}
			return b
		}
		find := func(where string, b []byte) {
			t.Helper()
			b = blank(b)
			for what, s := range secrets {
				if i := bytes.Index(b, []byte(s)); i >= 0 {
					t.Errorf("%s in clear in %s: …%q…", what, where, b[max(0, i-40):min(len(b), i+40)])
				}
			}
		}

		// Every column of every row.
		rows := scanAllRows(t, db)
		if len(rows) < 50 {
			t.Fatalf("scanned only %d rows", len(rows))
		}
		for _, r := range rows {
			if !r.exact {
				find(r.where, r.value)
				continue
			}
			for what, s := range secrets {
				if string(r.value) == s {
					t.Errorf("%s stored as an integer in %s", what, r.where)
				}
			}
		}
		find("log output", logs.Bytes())
		find("returned values", out.Bytes())
		if !bytes.Contains(logs.Bytes(), []byte("rotated card-data keyset")) {
			t.Error("log capture did not see the vault's log lines")
		}

		// Every byte of the SQLite database, WAL and shared memory.
		if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
			scanDir := func(when string, want int) {
				files, _ := filepath.Glob(path + "*")
				if len(files) < want {
					t.Fatalf("SQLite files: %v", files)
				}
				for _, f := range files {
					b, err := os.ReadFile(f)
					if err != nil {
						t.Fatal(err)
					}
					t.Logf("%s: %s, %d bytes", when, filepath.Base(f), len(b))
					find(when+" "+filepath.Base(f), b)
				}
			}
			scanDir("open", 2) // the database and its WAL
			db.Close()
			scanDir("closed", 1) // the WAL checkpointed into the database
		}
	})
}

type cell struct {
	where string
	value []byte
	exact bool // an integer: compare whole values
}

// scanAllRows returns every value of every column of every table.
func scanAllRows(t *testing.T, db *sqlstore.DB) []cell {
	t.Helper()
	ctx := context.Background()
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if db.Dialect == sqlstore.Postgres {
		q = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var cells []cell
	for _, table := range tables {
		rows, err := db.QueryContext(ctx, `SELECT * FROM `+table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for i := 0; rows.Next(); i++ {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for j := range vals {
				ptrs[j] = &vals[j]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for j, val := range vals {
				var b []byte
				switch x := val.(type) {
				case []byte:
					b = x
				case string:
					b = []byte(x)
				case int64:
					// A number or code stored as an integer would equal
					// it; random key IDs and timestamps may contain its
					// digits by chance.
					cells = append(cells, cell{fmt.Sprintf("%s.%s row %d", table, cols[j], i), []byte(strconv.FormatInt(x, 10)), true})
					continue
				case nil, bool, time.Time:
					continue
				default:
					b = fmt.Append(nil, x)
				}
				cells = append(cells, cell{fmt.Sprintf("%s.%s row %d", table, cols[j], i), b, false})
			}
		}
		rows.Close()
	}
	return cells
}
