package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai"
	"github.com/kessai/kessai/httpapi"
)

const (
	ctForm = "application/x-www-form-urlencoded"
	ctJSON = "application/json"
)

func mustDecode(t *testing.T, ct, query, body string) *httpapi.Params {
	t.Helper()
	p, err := httpapi.DecodeParams(ct, query, []byte(body))
	if err != nil {
		t.Fatalf("DecodeParams(%q, %q, %q): %v", ct, query, body, err)
	}
	return p
}

func TestDecodeFormNesting(t *testing.T) {
	p := mustDecode(t, ctForm, "", "card[number]=4242+4242&card[name]=A%20B&metadata[order][id]=7&metadata[tag]=x"+
		"&webhook_endpoints[]=https://a.example&webhook_endpoints[]=https://b.example&amount=100&empty=&flag")
	c := p.Object("card")
	if got := c.String("number"); got != "4242 4242" {
		t.Errorf("card[number] = %q", got)
	}
	if got := c.String("name"); got != "A B" {
		t.Errorf("card[name] = %q", got)
	}
	want := map[string]any{"order": map[string]any{"id": "7"}, "tag": "x"}
	if diff := cmp.Diff(want, p.Map("metadata")); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"https://a.example", "https://b.example"}, p.Strings("webhook_endpoints")); diff != "" {
		t.Errorf("webhook_endpoints (-want +got):\n%s", diff)
	}
	if p.Int64("amount") != 100 || !p.Has("empty") || p.String("empty") != "" || !p.Has("flag") {
		t.Errorf("scalars wrong")
	}
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestDecodeJSON(t *testing.T) {
	p := mustDecode(t, ctJSON, "", `{"amount":"100","limit":20,"capture":false,"description":null,
		"card":{"number":"4242424242424242","expiration_month":12,"name":null},
		"metadata":{"a":{"b":1.5},"c":[1,"x",null],"d":null},"platform_fee":{},"webhook_endpoints":["u1","u2"]}`)
	if p.Int64("amount") != 100 || p.Int64("limit") != 20 || p.Bool("capture") || !p.Has("capture") {
		t.Error("scalars wrong")
	}
	if p.Has("description") || p.Object("card").Has("name") {
		t.Error("null is not absent")
	}
	if got := p.Object("card").String("expiration_month"); got != "12" {
		t.Errorf("number as string = %q", got)
	}
	want := map[string]any{"a": map[string]any{"b": json.Number("1.5")}, "c": []any{json.Number("1"), "x", nil}}
	if diff := cmp.Diff(want, p.Map("metadata")); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
	if p.Object("platform_fee").Len() != 0 || !p.Has("platform_fee") {
		t.Error("empty object")
	}
	if diff := cmp.Diff([]string{"u1", "u2"}, p.Strings("webhook_endpoints")); diff != "" {
		t.Error(diff)
	}
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestDecodeSniffsAndMergesQuery(t *testing.T) {
	for _, tt := range []struct{ name, ct, query, body string }{
		{"GETJSONBodyNoContentType", "", "", `{"limit":5,"from":null}`},
		{"GETFormBodyNoContentType", "", "", "limit=5"},
		{"Query", "", "limit=5", ""},
		{"BodyOverridesQuery", ctJSON, "limit=9&order=x", `{"limit":5,"order":"chronological"}`},
		{"WhitespaceBody", "", "limit=5", " \n"},
		{"NullBody", ctJSON, "limit=5", "null"},
		{"OtherContentTypeSniffed", "text/plain", "", `{"limit":"5"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := mustDecode(t, tt.ct, tt.query, tt.body)
			if got := p.Int64("limit"); got != 5 || p.Err() != nil || p.Has("from") {
				t.Errorf("limit = %d, err %v", got, p.Err())
			}
		})
	}
}

func TestGetters(t *testing.T) {
	p := mustDecode(t, ctJSON, "", `{"s":"x","n":42,"ns":"-7","big":"99999999999999999999","frac":1.5,"exp":"1e3",
		"t":true,"f":"FALSE","one":1,"zero":"0","bad":"yes","obj":{"k":"v"},"arr":["a",2,true],
		"nested":[["x"]],"when":"2019-05-29T10:00:00+07:00","day":"2019-05-29","naive":"2019-05-29T01:02:03","never":"soon",
		"idx":{"1":"b","0":"a"},"notidx":{"x":"a"},"emptymeta":""}`)
	pf := mustDecode(t, ctForm, "", "idx[1]=b&idx[0]=a&one=1")
	check := func(name string, got, want any) {
		t.Helper()
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	check("String", p.String("s"), "x")
	check("String of number", p.String("n"), "42")
	check("String of bool", p.String("t"), "true")
	check("Int64", p.Int64("n"), int64(42))
	check("Int64 of string", p.Int64("ns"), int64(-7))
	check("Bool true", p.Bool("t"), true)
	check("Bool FALSE", p.Bool("f"), false)
	check("Bool 1", p.Bool("one"), true)
	check("Bool form 1", pf.Bool("one"), true)
	check("Bool 0", p.Bool("zero"), false)
	check("Time zone", p.Time("when"), time.Date(2019, 5, 29, 3, 0, 0, 0, time.UTC))
	check("Time date", p.Time("day"), time.Date(2019, 5, 29, 0, 0, 0, 0, time.UTC))
	check("Time naive", p.Time("naive"), time.Date(2019, 5, 29, 1, 2, 3, 0, time.UTC))
	check("Map", p.Map("obj"), map[string]any{"k": "v"})
	check("Map of empty string", p.Map("emptymeta"), map[string]any{})
	check("Strings", p.Strings("arr"), []string{"a", "2", "true"})
	check("Strings one", p.Strings("s"), []string{"x"})
	check("Strings indexed", p.Strings("idx"), []string{"a", "b"})
	check("Strings indexed form", pf.Strings("idx"), []string{"a", "b"})
	check("Absent", []any{p.String("no"), p.Int64("no"), p.Bool("no"), p.Time("no").IsZero(), p.Map("no") == nil, p.Strings("no") == nil, p.Object("no").Has("x")},
		[]any{"", int64(0), false, true, true, true, false})
	if err := p.Err(); err != nil {
		t.Fatalf("Err after good reads: %v", err)
	}

	// Each malformed parameter is reported by name, without its value.
	for _, tt := range []struct {
		name string
		get  func(p *httpapi.Params)
	}{
		{"obj", func(p *httpapi.Params) { p.String("obj") }},
		{"big", func(p *httpapi.Params) { p.Int64("big") }},
		{"frac", func(p *httpapi.Params) { p.Int64("frac") }},
		{"exp", func(p *httpapi.Params) { p.Int64("exp") }},
		{"t", func(p *httpapi.Params) { p.Int64("t") }},
		{"bad", func(p *httpapi.Params) { p.Bool("bad") }},
		{"n", func(p *httpapi.Params) { p.Bool("n") }},
		{"never", func(p *httpapi.Params) { p.Time("never") }},
		{"n", func(p *httpapi.Params) { p.Time("n") }},
		{"s", func(p *httpapi.Params) { p.Map("s") }},
		{"arr", func(p *httpapi.Params) { p.Map("arr") }},
		{"nested", func(p *httpapi.Params) { p.Strings("nested") }},
		{"notidx", func(p *httpapi.Params) { p.Strings("notidx") }},
		{"s", func(p *httpapi.Params) { p.Object("s") }},
		{"obj[k]", func(p *httpapi.Params) { p.Object("obj").Int64("k") }},
	} {
		p := mustDecode(t, ctJSON, "", `{"s":"x","n":42,"big":"99999999999999999999","frac":1.5,"exp":"1e3","t":true,
			"bad":"yes","obj":{"k":"v"},"arr":["a"],"nested":[["x"]],"never":"soon","notidx":{"x":"a"}}`)
		tt.get(p)
		err := p.Err()
		if kessai.ErrorCode(err) != kessai.EBadRequest || !strings.HasPrefix(kessai.ErrorMessage(err), tt.name+" ") {
			t.Errorf("%s: Err = %v, want bad_request naming it", tt.name, err)
		}
		// The first error sticks.
		p.Int64("s")
		if err2 := p.Err(); err2 != err {
			t.Errorf("%s: error replaced by %v", tt.name, err2)
		}
	}
}

func TestNilParams(t *testing.T) {
	var p *httpapi.Params
	if p.Has("x") || p.String("x") != "" || p.Int64("x") != 0 || p.Err() != nil || p.Object("x") != nil || p.Len() != 0 {
		t.Error("nil Params not empty")
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tt := range []struct{ name, ct, query, body, inMessage string }{
		{"Conflict", ctForm, "", "card=x&card[number]=1", "card"},
		{"ConflictReverse", ctForm, "", "card[number]=1&card=x", "card"},
		{"ArrayThenObject", ctForm, "", "a[]=1&a[b]=2", "a"},
		{"BracketMiddle", ctForm, "", "a[][b]=1", "a[][b]"},
		{"Unclosed", ctForm, "", "a[b=1", "a[b"},
		{"JunkAfterBracket", ctForm, "", "a[b]c=1", "a[b]c"},
		{"BadUTF8InNested", ctForm, "", "metadata[k]=%ff", "metadata[k]"},
		{"BadQuery", "", "limit=%", "", "limit"},
		{"DeepForm", ctForm, "", "a" + strings.Repeat("[a]", 40) + "=1", "nested too deeply"},
		{"JSONNULInNested", ctJSON, "", `{"metadata":{"a":["x","\u0000"]}}`, "metadata[a][1]"},
		{"JSONNULKey", ctJSON, "", `{"metadata":{"a\u0000":"x"}}`, "metadata"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := httpapi.DecodeParams(tt.ct, tt.query, []byte(tt.body))
			if kessai.ErrorCode(err) != kessai.EBadRequest {
				t.Fatalf("err = %v, want bad_request", err)
			}
			if !strings.Contains(kessai.ErrorMessage(err), tt.inMessage) {
				t.Errorf("message %q does not name %q", kessai.ErrorMessage(err), tt.inMessage)
			}
		})
	}
}
