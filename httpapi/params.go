package httpapi

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kessai/kessai"
)

// Params holds a request's decoded parameters (see [DecodeParams]) and
// reads them with typed getters. A getter returns the zero value both when
// the parameter is absent (use [Params.Has] to tell) and when it is
// malformed; in the second case it records an EBadRequest error naming the
// parameter, which [Params.Err] returns. So a handler reads every parameter,
// then checks Err once:
//
//	amount := p.Int64("amount")
//	capture := !p.Has("capture") || p.Bool("capture")
//	if err := p.Err(); err != nil {
//		return err
//	}
//
// A nil *Params has no parameters. Params is not safe for concurrent use.
type Params struct {
	m      map[string]any // string | json.Number | bool | map[string]any | []any
	prefix string         // the name of this object in its parent: "card"
	err    *error         // the first error, shared with nested objects
}

// Err returns the first error a getter recorded, or nil.
func (p *Params) Err() error {
	if p == nil || p.err == nil {
		return nil
	}
	return *p.err
}

// Has reports whether the parameter is present (a JSON null is absent).
func (p *Params) Has(name string) bool {
	if p == nil {
		return false
	}
	_, ok := p.m[name]
	return ok
}

// Len returns the number of parameters.
func (p *Params) Len() int {
	if p == nil {
		return 0
	}
	return len(p.m)
}

// Name returns the full name of a parameter of p, as error messages show
// it: "number" in the top level, "card[number]" inside card.
func (p *Params) Name(name string) string {
	if p == nil || p.prefix == "" {
		return name
	}
	return p.prefix + "[" + name + "]"
}

// Fail records an EBadRequest error "<name> <reason>" for a parameter of p,
// unless an error is already recorded, and returns the recorded error.
func (p *Params) Fail(name, reason string) error {
	return p.fail(kessai.Errorf(kessai.EBadRequest, "%s %s", p.Name(name), reason))
}

func (p *Params) fail(err error) error {
	if p == nil || p.err == nil {
		return err
	}
	if *p.err == nil {
		*p.err = err
	}
	return *p.err
}

// String returns a string parameter. Numbers and booleans are accepted and
// returned as their text. It records an error for an object or an array.
func (p *Params) String(name string) string {
	v, ok := p.lookup(name)
	if !ok {
		return ""
	}
	s, ok := scalarText(v)
	if !ok {
		p.Fail(name, "must be a string")
	}
	return s
}

// Int64 returns an integer parameter, given as a JSON number or as a
// string of decimal digits. It records an error for anything else,
// including fractions, exponents and values out of range.
func (p *Params) Int64(name string) int64 {
	n, err := p.int64(name)
	if err != nil {
		p.fail(err)
	}
	return n
}

func (p *Params) int64(name string) (int64, error) {
	v, ok := p.lookup(name)
	if !ok {
		return 0, nil
	}
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case json.Number:
		s = string(v)
	default:
		return 0, kessai.Errorf(kessai.EBadRequest, "%s must be an integer", p.Name(name))
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, kessai.Errorf(kessai.EBadRequest, "%s must be an integer", p.Name(name))
	}
	return n, nil
}

// Bool returns a boolean parameter: true, false (in any letter case), 1 or
// 0, as a JSON value or as a string. It records an error for anything else.
func (p *Params) Bool(name string) bool {
	v, ok := p.lookup(name)
	if !ok {
		return false
	}
	switch v := v.(type) {
	case bool:
		return v
	case string, json.Number:
		s, _ := scalarText(v)
		switch {
		case s == "1" || strings.EqualFold(s, "true"):
			return true
		case s == "0" || strings.EqualFold(s, "false"):
			return false
		}
	}
	p.Fail(name, "must be true or false")
	return false
}

// Time returns an instant parameter in ISO 8601: an RFC 3339 time
// ("2019-05-29T10:00:00Z", "…+07:00"), a time without a zone (taken as UTC)
// or a date ("2019-05-29", midnight UTC). It records an error for anything
// else.
func (p *Params) Time(name string) time.Time {
	t, err := p.time(name)
	if err != nil {
		p.fail(err)
	}
	return t
}

func (p *Params) time(name string) (time.Time, error) {
	v, ok := p.lookup(name)
	if !ok {
		return time.Time{}, nil
	}
	if s, ok := v.(string); ok {
		if t, ok := parseTime(s); ok {
			return t, nil
		}
	}
	return time.Time{}, kessai.Errorf(kessai.EBadRequest, "%s must be an ISO 8601 time such as 2019-05-29T00:00:00Z", p.Name(name))
}

func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// Map returns an object parameter such as metadata, as a map whose values
// are strings, json.Numbers, booleans, nested maps and []any. An empty
// string is an empty map. It records an error for anything else. The map
// belongs to p: do not modify it.
func (p *Params) Map(name string) map[string]any {
	v, ok := p.lookup(name)
	if !ok {
		return nil
	}
	switch v := v.(type) {
	case map[string]any:
		return v
	case string:
		if v == "" {
			return map[string]any{}
		}
	}
	p.Fail(name, "must be an object")
	return nil
}

// Object returns an object parameter (such as card) as Params, whose
// getters record their errors in p under names like "card[number]". It
// returns nil, which has no parameters, when the parameter is absent, and
// records an error when it is not an object.
func (p *Params) Object(name string) *Params {
	v, ok := p.lookup(name)
	if !ok {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		p.Fail(name, "must be an object")
		return nil
	}
	return &Params{m: m, prefix: p.Name(name), err: p.err}
}

// Strings returns an array parameter of strings: a JSON array, a form array
// (name[]=a&name[]=b, or name[0]=a&name[1]=b), or a single value, which is
// an array of one. It records an error when an element is not a string,
// number or boolean.
func (p *Params) Strings(name string) []string {
	v, ok := p.lookup(name)
	if !ok {
		return nil
	}
	var elems []any
	switch v := v.(type) {
	case []any:
		elems = v
	case map[string]any:
		// name[0]=a&name[1]=b: indexes as keys, in numeric order.
		keys := make([]int, 0, len(v))
		for k := range v {
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 {
				p.Fail(name, "must be an array")
				return nil
			}
			keys = append(keys, i)
		}
		slices.Sort(keys)
		for _, k := range keys {
			elems = append(elems, v[strconv.Itoa(k)])
		}
	default:
		elems = []any{v}
	}
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		s, ok := scalarText(e)
		if !ok {
			p.Fail(name, "must be an array of strings")
			return nil
		}
		out = append(out, s)
	}
	return out
}

func (p *Params) lookup(name string) (any, bool) {
	if p == nil {
		return nil, false
	}
	v, ok := p.m[name]
	return v, ok
}

// scalarText returns the text of a string, number or boolean.
func scalarText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return string(v), true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	}
	return "", false
}
