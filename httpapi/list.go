package httpapi

import (
	"net/http"
	"time"

	"github.com/kessai/kessai"
)

// ParseListParams reads the list parameters from, to, offset, limit and
// order of p (Omise pagination): from defaults to the Unix epoch, to to now,
// offset to 0, limit to 20 (a larger limit than 100 is lowered to 100), and
// order to chronological. It fails with EInvalidFilter for a from or to that
// is not an ISO 8601 time, a from after to, or an unknown order, and with
// EInvalidPage for an offset or limit that is not an integer, a negative
// offset, or a limit below 1.
func ParseListParams(p *Params, now time.Time) (kessai.ListParams, error) {
	lp := kessai.ListParams{
		From:  time.Unix(0, 0).UTC(),
		To:    now.UTC().Truncate(time.Second),
		Limit: kessai.DefaultListLimit,
		Order: kessai.Chronological,
	}
	var err error
	if p.Has("from") {
		if lp.From, err = p.time("from"); err != nil {
			return lp, recode(err, kessai.EInvalidFilter)
		}
	}
	if p.Has("to") {
		if lp.To, err = p.time("to"); err != nil {
			return lp, recode(err, kessai.EInvalidFilter)
		}
	}
	if lp.From.After(lp.To) {
		return lp, kessai.Errorf(kessai.EInvalidFilter, "from must not be after to")
	}
	if p.Has("order") {
		v, _ := p.lookup("order")
		s, _ := scalarText(v)
		switch o := kessai.Order(s); o {
		case kessai.Chronological, kessai.ReverseChronological:
			lp.Order = o
		default:
			return lp, kessai.Errorf(kessai.EInvalidFilter, "order must be chronological or reverse_chronological")
		}
	}
	if p.Has("offset") {
		n, err := p.int64("offset")
		if err != nil {
			return lp, recode(err, kessai.EInvalidPage)
		}
		if n < 0 || n > 1<<31-1 {
			return lp, kessai.Errorf(kessai.EInvalidPage, "offset must be 0 or more")
		}
		lp.Offset = int(n)
	}
	if p.Has("limit") {
		n, err := p.int64("limit")
		if err != nil {
			return lp, recode(err, kessai.EInvalidPage)
		}
		if n < 1 {
			return lp, kessai.Errorf(kessai.EInvalidPage, "limit must be between 1 and %d", kessai.MaxListLimit)
		}
		lp.Limit = int(min(n, kessai.MaxListLimit))
	}
	return lp, nil
}

// ListParamsOf returns the list parameters of a request, as
// [ParseListParams] reads them, with the request's start as now.
func ListParamsOf(r *http.Request) (kessai.ListParams, error) {
	st := stateOf(r)
	if st == nil {
		return ParseListParams(nil, time.Now())
	}
	return ParseListParams(st.params, st.now)
}

// recode returns err's message under another code.
func recode(err error, code string) error {
	return kessai.Errorf(code, "%s", kessai.ErrorMessage(err))
}
