package httpapi_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/card"
	"github.com/kessai/kessai/httpapi"
)

// TestEveryCodeHasItsStatus checks that each error code in ../error.go maps
// to the HTTP status its comment documents, so that a new code cannot be
// added without a status.
func TestEveryCodeHasItsStatus(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../error.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			if len(vs.Values) != 1 || vs.Comment == nil {
				continue
			}
			lit, ok := vs.Values[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				continue
			}
			code, _ := strconv.Unquote(lit.Value)
			want, err := strconv.Atoi(strings.TrimSpace(vs.Comment.Text()))
			if err != nil {
				t.Errorf("%s: comment %q is not a status", vs.Names[0], vs.Comment.Text())
				continue
			}
			n++
			if got := httpapi.StatusOf(code); got != want {
				t.Errorf("StatusOf(%s) = %d, want %d", code, got, want)
			}
		}
	}
	if n < 20 {
		t.Errorf("found only %d codes in ../error.go", n)
	}
	if got := httpapi.StatusOf("no_such_code"); got != 500 {
		t.Errorf("unknown code: %d", got)
	}
}

func TestErrorMapping(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"Coded", kessai.Errorf(kessai.EUsedToken, "token was already used"), 400, kessai.EUsedToken},
		{"Wrapped", kessai.WrapError(errorString("x"), kessai.ENotFound, "charge chrg_1 was not found"), 404, kessai.ENotFound},
		{"CardFieldError", &card.FieldError{Field: "number", Reason: "is invalid"}, 400, kessai.EInvalidCard},
		{"UnknownCode", kessai.Errorf("made_up", "x"), 500, kessai.EInternal},
		{"Plain", errorString("disk on fire"), 500, kessai.EInternal},
		{"RateLimited", kessai.Errorf(kessai.ERateLimited, "slow down"), 429, kessai.ERateLimited},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := "/err/" + tt.name
			e.srv.Handle("GET", path, func(w http.ResponseWriter, r *http.Request) error { return tt.err })
			m := wantError(t, e.do(t, req{method: "GET", path: path, key: skeyA}), tt.status, tt.code)
			if tt.status == 500 && m["message"] != "internal error" {
				t.Errorf("500 message %q", m["message"])
			}
		})
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }
