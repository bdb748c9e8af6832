package kessai_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai"
	"github.com/omise/omise-go"
)

func TestParseAmountRange(t *testing.T) {
	tests := []struct {
		in   string
		want *kessai.AmountRange
	}{
		{"20", &kessai.AmountRange{Min: 2000, Max: 2000}},
		{"20.5", &kessai.AmountRange{Min: 2050, Max: 2050}},
		{"0.05", &kessai.AmountRange{Min: 5, Max: 5}},
		{"10..20", &kessai.AmountRange{Min: 1000, Max: 2000}},
		{"..20", &kessai.AmountRange{Min: 0, Max: 2000}},
		{"20..", &kessai.AmountRange{Min: 2000}}, // open above
		{"abc", nil},
		{"-5", nil},
		{"1.234", nil},
		{"20..10", nil},
		{"", nil},
	}
	for _, tt := range tests {
		got, err := kessai.ParseAmountRange(tt.in)
		if tt.want == nil {
			if kessai.ErrorCode(err) != kessai.EInvalidFilter {
				t.Errorf("ParseAmountRange(%q) = %v, %v; want invalid_filter", tt.in, got, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseAmountRange(%q): %v", tt.in, err)
			continue
		}
		if tt.in == "20.." {
			if got.Min != 2000 || got.Max < 1e15 {
				t.Errorf("ParseAmountRange(%q) = %+v", tt.in, got)
			}
			continue
		}
		if *got != *tt.want {
			t.Errorf("ParseAmountRange(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseTimeRange(t *testing.T) {
	now := time.Date(2026, 11, 19, 15, 30, 0, 0, time.UTC) // a Thursday
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		in   string
		want kessai.TimeRange
	}{
		{"2026-11-01", kessai.TimeRange{From: day(2026, 11, 1), To: day(2026, 11, 2)}},
		{"2026/11/01", kessai.TimeRange{From: day(2026, 11, 1), To: day(2026, 11, 2)}},
		{"2026-11-01..2026-11-03", kessai.TimeRange{From: day(2026, 11, 1), To: day(2026, 11, 4)}},
		{"2026-11-01..", kessai.TimeRange{From: day(2026, 11, 1)}},
		{"..2026-11-01", kessai.TimeRange{To: day(2026, 11, 2)}},
		{"2026-11-01T10:00:00+07:00", kessai.TimeRange{From: time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 1, 3, 0, 1, 0, time.UTC)}},
		{"today", kessai.TimeRange{From: day(2026, 11, 19), To: day(2026, 11, 20)}},
		{"yesterday", kessai.TimeRange{From: day(2026, 11, 18), To: day(2026, 11, 19)}},
		{"this_week", kessai.TimeRange{From: day(2026, 11, 16), To: day(2026, 11, 23)}},
		{"last_week", kessai.TimeRange{From: day(2026, 11, 9), To: day(2026, 11, 16)}},
		{"this_month", kessai.TimeRange{From: day(2026, 11, 1), To: day(2026, 12, 1)}},
		{"last_month", kessai.TimeRange{From: day(2026, 10, 1), To: day(2026, 11, 1)}},
	}
	for _, tt := range tests {
		got, err := kessai.ParseTimeRange(tt.in, now)
		if err != nil {
			t.Errorf("ParseTimeRange(%q): %v", tt.in, err)
			continue
		}
		if !got.From.Equal(tt.want.From) || !got.To.Equal(tt.want.To) {
			t.Errorf("ParseTimeRange(%q) = %v..%v, want %v..%v", tt.in, got.From, got.To, tt.want.From, tt.want.To)
		}
	}
	for _, bad := range []string{"yesterweek", "2026-13-01", "2026-11-03..2026-11-01", "1 Nov"} {
		if _, err := kessai.ParseTimeRange(bad, now); kessai.ErrorCode(err) != kessai.EInvalidFilter {
			t.Errorf("ParseTimeRange(%q) = %v, want invalid_filter", bad, err)
		}
	}
}

func TestParseChargeFilter(t *testing.T) {
	got, err := kessai.ParseChargeFilter(map[string]string{
		"amount": "1000", "captured": "yes", "customer_present": "off", "status": "Successful",
		"currency": "THB", "card_last_digits": "4242", "failure_code": "", "created": "today",
	}, t0)
	if err != nil {
		t.Fatal(err)
	}
	tr, fa := true, false
	want := &kessai.ChargeFilter{
		Amount:          &kessai.AmountRange{Min: 100000, Max: 100000},
		Captured:        &tr,
		CustomerPresent: &fa,
		Status:          kessai.ChargeSuccessful,
		Currency:        "thb",
		CardLastDigits:  "4242",
		Created:         &kessai.TimeRange{From: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("filter (-want +got):\n%s", diff)
	}
	for _, bad := range []map[string]string{
		{"colour": "red"},
		{"captured": "maybe"},
		{"status": "paid"},
		{"amount": "lots"},
	} {
		if _, err := kessai.ParseChargeFilter(bad, t0); kessai.ErrorCode(err) != kessai.EInvalidFilter {
			t.Errorf("ParseChargeFilter(%v) = %v, want invalid_filter", bad, err)
		}
	}
	if _, err := kessai.ParseCustomerFilter(map[string]string{"email": "A@B.C", "created": "2026-01-01"}, t0); err != nil {
		t.Error(err)
	}
	if _, err := kessai.ParseCustomerFilter(map[string]string{"amount": "1"}, t0); kessai.ErrorCode(err) != kessai.EInvalidFilter {
		t.Errorf("customer amount filter: %v", err)
	}
	if _, err := kessai.ParseRefundFilter(map[string]string{"voided": "no", "charge": "chrg_test_1"}, t0); err != nil {
		t.Error(err)
	}
}

func TestSearchParamsNormalize(t *testing.T) {
	p := &kessai.SearchParams{Scope: kessai.ScopeCharge}
	if err := p.Normalize(); err != nil {
		t.Fatal(err)
	}
	if p.Page != 1 || p.PerPage != 30 || p.Order != kessai.ReverseChronological || p.Filters == nil || p.Offset() != 0 {
		t.Errorf("defaults = %+v", p)
	}
	for _, tt := range []struct {
		p    kessai.SearchParams
		code string
	}{
		{kessai.SearchParams{}, kessai.EInvalidScope},
		{kessai.SearchParams{Scope: "planet"}, kessai.EInvalidScope},
		{kessai.SearchParams{Scope: "charge", Page: -1}, kessai.EInvalidPage},
		{kessai.SearchParams{Scope: "charge", PerPage: 101}, kessai.EInvalidPage},
		{kessai.SearchParams{Scope: "charge", Order: "sideways"}, kessai.EBadRequest},
	} {
		if err := tt.p.Normalize(); kessai.ErrorCode(err) != tt.code {
			t.Errorf("Normalize(%+v) = %v, want %s", tt.p, err, tt.code)
		}
	}
}

func TestSearchResultDecodesWithOmiseGo(t *testing.T) {
	p := &kessai.SearchParams{Scope: kessai.ScopeCharge, Query: "order", Page: 2, PerPage: 1}
	if err := p.Normalize(); err != nil {
		t.Fatal(err)
	}
	res := kessai.NewSearchResult(p, []*kessai.Charge{newCharge()}, 3)
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var got omise.ChargeSearchResult
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Total != 3 || got.TotalPages != 3 || got.Page != 2 || len(got.Data) != 1 || got.Scope != "charge" || got.Filters == nil {
		t.Errorf("omise-go reads %+v", got)
	}
	empty := kessai.NewSearchResult(&kessai.SearchParams{Scope: kessai.ScopeLink, PerPage: 30}, nil, 0)
	m, _ := keysOf(t, empty)
	if string(m["data"]) != "[]" || string(m["filters"]) != "{}" || string(m["export"]) != "null" {
		t.Errorf("empty result: data %s, filters %s", m["data"], m["filters"])
	}
}
