package kessai

import (
	"context"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Search scopes. Charges, customers and refunds are searched; the other
// scopes of the Omise API name objects Kessai does not have, so their
// searches find nothing.
const (
	ScopeCharge    = "charge"
	ScopeCustomer  = "customer"
	ScopeRefund    = "refund"
	ScopeDispute   = "dispute"
	ScopeRecipient = "recipient"
	ScopeTransfer  = "transfer"
	ScopeLink      = "link"
)

// Search page sizes: the default and the largest.
const (
	DefaultSearchPerPage = 30
	MaxSearchPerPage     = 100
)

// SearchParams is what GET /search asks for.
type SearchParams struct {
	Scope string
	// Query is matched, case-insensitively, as a substring of the scope's
	// text fields (ids, description, email, metadata, …).
	Query   string
	Filters map[string]string
	// Page counts from 1; 0 means 1.
	Page int
	// PerPage is the page size; 0 means [DefaultSearchPerPage].
	PerPage int
	// Order is "" for the default, reverse_chronological.
	Order Order
}

// Normalize fills in the defaults of p. It fails with EInvalidScope for an
// unknown scope, EInvalidPage for a negative page or a page size outside
// 1..[MaxSearchPerPage], and EBadRequest for an unknown order.
func (p *SearchParams) Normalize() error {
	switch p.Scope {
	case ScopeCharge, ScopeCustomer, ScopeRefund, ScopeDispute, ScopeRecipient, ScopeTransfer, ScopeLink:
	case "":
		return Errorf(EInvalidScope, "scope is required")
	default:
		return Errorf(EInvalidScope, "scope %q is not supported", p.Scope)
	}
	if p.Page < 0 {
		return Errorf(EInvalidPage, "page must be at least 1")
	}
	if p.Page == 0 {
		p.Page = 1
	}
	if p.PerPage == 0 {
		p.PerPage = DefaultSearchPerPage
	}
	if p.PerPage < 1 || p.PerPage > MaxSearchPerPage {
		return Errorf(EInvalidPage, "per_page must be between 1 and %d", MaxSearchPerPage)
	}
	if p.Page > math.MaxInt32/p.PerPage {
		return Errorf(EInvalidPage, "page is too large")
	}
	switch p.Order {
	case "":
		p.Order = ReverseChronological
	case Chronological, ReverseChronological:
	default:
		return Errorf(EBadRequest, "order must be chronological or reverse_chronological")
	}
	if p.Filters == nil {
		p.Filters = map[string]string{}
	}
	return nil
}

// Offset returns how many results come before p's page.
func (p *SearchParams) Offset() int { return (p.Page - 1) * p.PerPage }

// SearchResult is the Omise Search object: one page of search results. Data
// is a slice of the scope's objects.
type SearchResult struct {
	Object     string            `json:"object"`   // "search"
	Location   string            `json:"location"` // "/search"
	Scope      string            `json:"scope"`
	Query      string            `json:"query"`
	Filters    map[string]string `json:"filters"`
	Page       int               `json:"page"`
	PerPage    int               `json:"per_page"`
	TotalPages int               `json:"total_pages"`
	Total      int               `json:"total"`
	Order      Order             `json:"order"`
	Export     *string           `json:"export"`
	Data       any               `json:"data"`
}

// NewSearchResult returns the Search object for the page of p holding data
// (a slice; nil becomes []), out of total results.
func NewSearchResult(p *SearchParams, data any, total int) *SearchResult {
	if data == nil {
		data = []any{}
	}
	filters := p.Filters
	if filters == nil {
		filters = map[string]string{}
	}
	pages := 0
	if p.PerPage > 0 {
		pages = (total + p.PerPage - 1) / p.PerPage
	}
	return &SearchResult{
		Object: "search", Location: "/search",
		Scope: p.Scope, Query: p.Query, Filters: filters,
		Page: p.Page, PerPage: p.PerPage, TotalPages: pages, Total: total,
		Order: p.Order, Data: data,
	}
}

// AmountRange is an inclusive range of amounts in hundredths of the main
// currency unit (search amounts are in the main unit: 20 is ฿20 and ¥20).
type AmountRange struct{ Min, Max int64 }

// TimeRange is the instants from From (inclusive) to To (exclusive).
type TimeRange struct{ From, To time.Time }

// ChargeFilter is the parsed filters of a charge search; nil and "" fields
// do not filter.
type ChargeFilter struct {
	Amount          *AmountRange
	RefundAmount    *AmountRange
	Created         *TimeRange
	Authorized      *bool
	Captured        *bool
	Refunded        *bool
	Reversed        *bool
	Voided          *bool
	Expired         *bool
	Disputed        *bool
	CustomerPresent *bool
	CardLastDigits  string
	Currency        string
	Customer        string
	FailureCode     string
	Status          ChargeStatus
}

// CustomerFilter is the parsed filters of a customer search.
type CustomerFilter struct {
	Created *TimeRange
	Email   string
}

// RefundFilter is the parsed filters of a refund search.
type RefundFilter struct {
	Amount   *AmountRange
	Created  *TimeRange
	Currency string
	Charge   string
	Voided   *bool
}

// filterSpec parses one filter value into its destination.
type filterSpec func(v string, now time.Time) error

// parseFilters applies specs to filters, failing with EInvalidFilter for an
// unknown name or a bad value. Names are matched in sorted order so that the
// first error is always the same.
func parseFilters(filters map[string]string, now time.Time, specs map[string]filterSpec) error {
	names := make([]string, 0, len(filters))
	for k := range filters {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		spec, ok := specs[k]
		if !ok {
			if !filterName(k) {
				return Errorf(EInvalidFilter, "unknown filter")
			}
			return Errorf(EInvalidFilter, "unknown filter: %s", k)
		}
		v := strings.TrimSpace(filters[k])
		if v == "" {
			continue
		}
		if err := spec(v, now); err != nil {
			return Errorf(EInvalidFilter, "filter %s %s", k, err.(*Error).Message)
		}
	}
	return nil
}

// filterName reports whether a filter name may be echoed in a message: at
// most 40 characters of [a-z_] (never card data).
func filterName(k string) bool {
	if k == "" || len(k) > 40 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if (k[i] < 'a' || k[i] > 'z') && k[i] != '_' {
			return false
		}
	}
	return true
}

func amountSpec(dst **AmountRange) filterSpec {
	return func(v string, _ time.Time) error {
		r, err := ParseAmountRange(v)
		*dst = r
		return err
	}
}

func timeSpec(dst **TimeRange) filterSpec {
	return func(v string, now time.Time) error {
		r, err := ParseTimeRange(v, now)
		*dst = r
		return err
	}
}

func boolSpec(dst **bool) filterSpec {
	return func(v string, _ time.Time) error {
		b, err := ParseBool(v)
		*dst = &b
		return err
	}
}

func stringSpec(dst *string, lower bool) filterSpec {
	return func(v string, _ time.Time) error {
		if len(v) > 255 {
			return Errorf(EInvalidFilter, "is too long")
		}
		if lower {
			v = strings.ToLower(v)
		}
		*dst = v
		return nil
	}
}

// ParseChargeFilter parses the filters of a charge search at now: amount and
// refund_amount (main unit, "20", "10.5", "10..20", "..20", "10.."),
// created (a date, an RFC 3339 instant, a range of them with "..", or today,
// yesterday, this_week, last_week, this_month, last_month), the booleans
// authorized, captured, refunded, reversed, voided, expired, disputed,
// customer_present (true/false, yes/no, on/off, 1/0), card_last_digits,
// currency, customer, failure_code and status. Fails with EInvalidFilter.
func ParseChargeFilter(filters map[string]string, now time.Time) (*ChargeFilter, error) {
	f := &ChargeFilter{}
	var status string
	err := parseFilters(filters, now, map[string]filterSpec{
		"amount":           amountSpec(&f.Amount),
		"refund_amount":    amountSpec(&f.RefundAmount),
		"created":          timeSpec(&f.Created),
		"authorized":       boolSpec(&f.Authorized),
		"captured":         boolSpec(&f.Captured),
		"paid":             boolSpec(&f.Captured),
		"refunded":         boolSpec(&f.Refunded),
		"reversed":         boolSpec(&f.Reversed),
		"voided":           boolSpec(&f.Voided),
		"expired":          boolSpec(&f.Expired),
		"disputed":         boolSpec(&f.Disputed),
		"customer_present": boolSpec(&f.CustomerPresent),
		"card_last_digits": stringSpec(&f.CardLastDigits, false),
		"currency":         stringSpec(&f.Currency, true),
		"customer":         stringSpec(&f.Customer, false),
		"failure_code":     stringSpec(&f.FailureCode, false),
		"status":           stringSpec(&status, true),
	})
	if err != nil {
		return nil, err
	}
	switch s := ChargeStatus(status); s {
	case "", ChargePending, ChargeSuccessful, ChargeFailed, ChargeReversed, ChargeExpired:
		f.Status = s
	default:
		return nil, Errorf(EInvalidFilter, "filter status must be one of pending, successful, failed, reversed, expired")
	}
	return f, nil
}

// ParseCustomerFilter parses the filters of a customer search: created and
// email. Fails with EInvalidFilter.
func ParseCustomerFilter(filters map[string]string, now time.Time) (*CustomerFilter, error) {
	f := &CustomerFilter{}
	err := parseFilters(filters, now, map[string]filterSpec{
		"created": timeSpec(&f.Created),
		"email":   stringSpec(&f.Email, true),
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// ParseRefundFilter parses the filters of a refund search: amount, created,
// currency, charge and voided. Fails with EInvalidFilter.
func ParseRefundFilter(filters map[string]string, now time.Time) (*RefundFilter, error) {
	f := &RefundFilter{}
	err := parseFilters(filters, now, map[string]filterSpec{
		"amount":   amountSpec(&f.Amount),
		"created":  timeSpec(&f.Created),
		"currency": stringSpec(&f.Currency, true),
		"charge":   stringSpec(&f.Charge, false),
		"voided":   boolSpec(&f.Voided),
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// maxSearchAmount bounds amounts in hundredths of the main unit.
const maxSearchAmount = math.MaxInt64 / 1000

// ParseAmountRange parses an amount in the main unit ("20", "20.5") or a
// range of them ("10..20", "..20", "10.."), both ends inclusive. Fails with
// EInvalidFilter.
func ParseAmountRange(s string) (*AmountRange, error) {
	lo, hi, isRange := strings.Cut(s, "..")
	if !isRange {
		v, err := parseMainAmount(lo)
		if err != nil {
			return nil, err
		}
		return &AmountRange{v, v}, nil
	}
	r := &AmountRange{0, maxSearchAmount}
	var err error
	if strings.TrimSpace(lo) != "" {
		if r.Min, err = parseMainAmount(lo); err != nil {
			return nil, err
		}
	}
	if strings.TrimSpace(hi) != "" {
		if r.Max, err = parseMainAmount(hi); err != nil {
			return nil, err
		}
	}
	if r.Min > r.Max {
		return nil, Errorf(EInvalidFilter, "must be a range from low to high")
	}
	return r, nil
}

// parseMainAmount returns a non-negative decimal with at most two fraction
// digits, in hundredths.
func parseMainAmount(s string) (int64, error) {
	bad := Errorf(EInvalidFilter, "must be an amount in the main currency unit")
	s = strings.TrimSpace(s)
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(whole) > 15 || len(frac) > 2 || !allDigits(whole) || !allDigits(frac) {
		return 0, bad
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, bad
	}
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	return w*100 + f, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParseTimeRange parses a created filter at now: a date ("2006-01-02" or
// "2006/01/02", the whole UTC day), an RFC 3339 instant, a range of them
// with ".." (either end open), or one of today, yesterday, this_week,
// last_week (weeks start on Monday), this_month, last_month. Fails with
// EInvalidFilter.
func ParseTimeRange(s string, now time.Time) (*TimeRange, error) {
	now = now.UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	week := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	switch strings.ToLower(s) {
	case "today":
		return &TimeRange{day, day.AddDate(0, 0, 1)}, nil
	case "yesterday":
		return &TimeRange{day.AddDate(0, 0, -1), day}, nil
	case "this_week":
		return &TimeRange{week, week.AddDate(0, 0, 7)}, nil
	case "last_week":
		return &TimeRange{week.AddDate(0, 0, -7), week}, nil
	case "this_month":
		return &TimeRange{month, month.AddDate(0, 1, 0)}, nil
	case "last_month":
		return &TimeRange{month.AddDate(0, -1, 0), month}, nil
	}
	lo, hi, isRange := strings.Cut(s, "..")
	if !isRange {
		return parseTimeValue(lo)
	}
	r := &TimeRange{}
	if strings.TrimSpace(lo) != "" {
		v, err := parseTimeValue(lo)
		if err != nil {
			return nil, err
		}
		r.From = v.From
	}
	if strings.TrimSpace(hi) != "" {
		v, err := parseTimeValue(hi)
		if err != nil {
			return nil, err
		}
		r.To = v.To
	}
	if !r.From.IsZero() && !r.To.IsZero() && !r.From.Before(r.To) {
		return nil, Errorf(EInvalidFilter, "must be a range from early to late")
	}
	return r, nil
}

// parseTimeValue returns the range of one date (its whole UTC day) or one
// instant (its whole second).
func parseTimeValue(s string) (*TimeRange, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "2006/01/02"} {
		if d, err := time.Parse(layout, s); err == nil {
			return &TimeRange{d, d.AddDate(0, 0, 1)}, nil
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		t = t.UTC().Truncate(time.Second)
		return &TimeRange{t, t.Add(time.Second)}, nil
	}
	return nil, Errorf(EInvalidFilter, "must be a date (YYYY-MM-DD), an RFC 3339 time or a range of them")
}

// ParseBool parses a search boolean: true, yes, on, 1, t, y or false, no,
// off, 0, f, n, in any case. Fails with EInvalidFilter.
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "on", "1", "t", "y":
		return true, nil
	case "false", "no", "off", "0", "f", "n":
		return false, nil
	}
	return false, Errorf(EInvalidFilter, "must be true or false")
}

// SearchService searches the account's objects.
type SearchService interface {
	// Search returns a page of the objects of p.Scope that contain p.Query
	// and match p.Filters. Returns EInvalidScope, EInvalidFilter,
	// EInvalidPage, EBadRequest.
	Search(ctx context.Context, auth *Auth, p *SearchParams) (*SearchResult, error)
}
