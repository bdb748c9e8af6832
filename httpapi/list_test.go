package httpapi_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai"
	"github.com/kessai/kessai/httpapi"
)

func TestParseListParams(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 890, time.UTC)
	epoch := time.Unix(0, 0).UTC()
	def := kessai.ListParams{From: epoch, To: now.Truncate(time.Second), Limit: 20, Order: kessai.Chronological}
	for _, tt := range []struct {
		name, ct, query, body string
		want                  kessai.ListParams
		code                  string
	}{
		{name: "Defaults", want: def},
		{name: "Query", query: "from=2019-01-01T00:00:00Z&to=2019-02-01&offset=5&limit=10&order=reverse_chronological",
			want: kessai.ListParams{From: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2019, 2, 1, 0, 0, 0, 0, time.UTC),
				Offset: 5, Limit: 10, Order: kessai.ReverseChronological}},
		{name: "OmiseGoJSONBody", body: `{"offset":5,"limit":10,"order":"chronological","from":"2019-01-01T07:00:00+07:00"}`,
			want: kessai.ListParams{From: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), To: def.To, Offset: 5, Limit: 10, Order: kessai.Chronological}},
		{name: "PythonJSONNulls", ct: ctJSON, body: `{"from":null,"to":null,"offset":null,"limit":100,"order":null}`,
			want: kessai.ListParams{From: epoch, To: def.To, Limit: 100, Order: kessai.Chronological}},
		{name: "FormBodyOnGET", body: "limit=3&offset=1",
			want: kessai.ListParams{From: epoch, To: def.To, Offset: 1, Limit: 3, Order: kessai.Chronological}},
		{name: "StringNumbers", ct: ctJSON, body: `{"limit":"7","offset":"0"}`,
			want: kessai.ListParams{From: epoch, To: def.To, Limit: 7, Order: kessai.Chronological}},
		{name: "LimitAbove100IsLowered", query: "limit=1000",
			want: kessai.ListParams{From: epoch, To: def.To, Limit: 100, Order: kessai.Chronological}},
		{name: "BadFrom", query: "from=yesterday", code: kessai.EInvalidFilter},
		{name: "BadTo", query: "to=2019-13-45", code: kessai.EInvalidFilter},
		{name: "FromAfterTo", query: "from=2020-01-01&to=2019-01-01", code: kessai.EInvalidFilter},
		{name: "BadOrder", query: "order=random", code: kessai.EInvalidFilter},
		{name: "OrderObject", ct: ctJSON, body: `{"order":{"a":1}}`, code: kessai.EInvalidFilter},
		{name: "NegativeOffset", query: "offset=-1", code: kessai.EInvalidPage},
		{name: "OffsetNotInteger", query: "offset=abc", code: kessai.EInvalidPage},
		{name: "ZeroLimit", query: "limit=0", code: kessai.EInvalidPage},
		{name: "NegativeLimit", query: "limit=-5", code: kessai.EInvalidPage},
		{name: "LimitFraction", ct: ctJSON, body: `{"limit":2.5}`, code: kessai.EInvalidPage},
		{name: "HugeOffset", query: "offset=99999999999999", code: kessai.EInvalidPage},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := httpapi.DecodeParams(tt.ct, tt.query, []byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			got, err := httpapi.ParseListParams(p, now)
			if tt.code != "" {
				if kessai.ErrorCode(err) != tt.code {
					t.Errorf("err = %v, want %s", err, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestListObject(t *testing.T) {
	e := newEnv(t)
	e.things()
	r := e.do(t, req{method: "GET", path: "/things?offset=2&limit=5&order=reverse_chronological&from=2019-05-29", key: skeyA})
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	want := map[string]any{"object": "list", "data": []any{"acct_test_a"}, "limit": 5.0, "offset": 2.0, "total": 1.0,
		"location": "/things", "order": "reverse_chronological", "from": "2019-05-29T00:00:00Z", "to": "2026-03-04T05:06:07Z"}
	if diff := cmp.Diff(want, r.json(t)); diff != "" {
		t.Errorf("list (-want +got):\n%s", diff)
	}
	// The same from a JSON body on GET without Content-Type (omise-go).
	r2 := e.do(t, req{method: "GET", path: "/things", key: skeyA,
		body: `{"offset":2,"limit":5,"order":"reverse_chronological","from":"2019-05-29T00:00:00Z"}`})
	if diff := cmp.Diff(want, r2.json(t)); diff != "" {
		t.Errorf("list from GET body (-want +got):\n%s", diff)
	}
	for _, tt := range []struct{ query, code string }{
		{"limit=x", kessai.EInvalidPage}, {"offset=-3", kessai.EInvalidPage},
		{"order=up", kessai.EInvalidFilter}, {"from=never", kessai.EInvalidFilter},
	} {
		wantError(t, e.do(t, req{method: "GET", path: "/things?" + tt.query, key: skeyA}), 400, tt.code)
	}
	// An empty list has data [], not null.
	l := kessai.NewList[string]("/x", kessai.ListParams{}, nil, 0)
	if l.Data == nil {
		t.Error("nil data")
	}
}
