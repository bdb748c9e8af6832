package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kessai/kessai"
)

// maxNesting bounds how deep form keys (a[b][c]…) and JSON values may nest.
const maxNesting = 32

// DecodeParams decodes a request's parameters: query is the raw query string
// (form-encoded), body the request body, decoded as JSON when contentType
// says so, as a form when it says so, and otherwise (no Content-Type, as on
// a GET with a body) by its first byte: '{' means JSON. Parameters in the
// body override those of the query string with the same name.
//
// Forms nest with brackets (card[number]=…, metadata[a][b]=…) and build
// arrays with [] (webhook_endpoints[]=…). JSON nulls are dropped, so null
// means absent. It fails with EBadRequest for a malformed form or JSON body,
// a JSON body that is not an object, a string that is not UTF-8 or holds a
// NUL, nesting deeper than 32 levels, and a name used both as an object and
// as a value (the message names the parameter, never its value).
func DecodeParams(contentType, query string, body []byte) (*Params, error) {
	p := &Params{m: map[string]any{}, err: new(error)}
	if query != "" {
		if err := decodeForm(p.m, query); err != nil {
			return nil, err
		}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return p, nil
	}
	isJSON := false
	switch mt := mediaType(contentType); {
	case strings.HasSuffix(mt, "json"):
		isJSON = true
	case mt == "application/x-www-form-urlencoded":
	case mt == "multipart/form-data":
		return nil, kessai.Errorf(kessai.EBadRequest, "multipart bodies are not supported: send application/x-www-form-urlencoded or application/json")
	default:
		isJSON = firstByte(body) == '{'
	}
	var err error
	if isJSON {
		err = decodeJSON(p.m, body)
	} else {
		err = decodeForm(p.m, string(body))
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// mediaType returns the lowercase media type of a Content-Type header, or ""
// when there is none or it cannot be parsed.
func mediaType(ct string) string {
	if ct == "" {
		return ""
	}
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.ToLower(strings.TrimSpace(ct))
	if ct == "application/json" || ct == "application/x-www-form-urlencoded" {
		return ct
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ""
	}
	return mt
}

func firstByte(b []byte) byte {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return c
		}
	}
	return 0
}

func malformed(format string, args ...any) error {
	return kessai.Errorf(kessai.EBadRequest, format, args...)
}

// decodeJSON merges the JSON object in body into m.
func decodeJSON(m map[string]any, body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return malformed("request body is not valid JSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return malformed("request body is not valid JSON: unexpected data after the object")
	}
	if v == nil {
		return nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return malformed("request body must be a JSON object")
	}
	for k, v := range obj {
		if v == nil {
			continue
		}
		if err := checkString(k, k); err != nil {
			return err
		}
		if err := cleanJSON(v, 1); err != nil {
			return withPath(err, k)
		}
		m[k] = v
	}
	return nil
}

// pathError is a parameter error found while walking a decoded tree; path
// is built from the innermost name outwards.
type pathError struct {
	path   []string // innermost first
	reason string
}

func (e *pathError) Error() string { return e.reason }

func withPath(err error, name string) error {
	pe, ok := err.(*pathError)
	if !ok {
		return err
	}
	full := name
	for i := len(pe.path) - 1; i >= 0; i-- {
		full += "[" + pe.path[i] + "]"
	}
	return malformed("%s %s", safeName(full), pe.reason)
}

// cleanJSON drops null members of objects and checks every string in v,
// which is at nesting depth d.
func cleanJSON(v any, d int) error {
	if d > maxNesting {
		return &pathError{reason: "is nested too deeply"}
	}
	switch v := v.(type) {
	case string:
		return checkValue(v)
	case map[string]any:
		for k, e := range v {
			if e == nil {
				delete(v, k)
				continue
			}
			if err := checkValue(k); err != nil {
				return &pathError{reason: "has a malformed key"}
			}
			if err := cleanJSON(e, d+1); err != nil {
				if pe, ok := err.(*pathError); ok {
					pe.path = append(pe.path, k)
				}
				return err
			}
		}
	case []any:
		for i, e := range v {
			if err := cleanJSON(e, d+1); err != nil {
				if pe, ok := err.(*pathError); ok {
					pe.path = append(pe.path, strconv.Itoa(i))
				}
				return err
			}
		}
	}
	return nil
}

// checkValue fails for a string that is not UTF-8 or holds a NUL (which
// PostgreSQL cannot store).
func checkValue(s string) error {
	if !utf8.ValidString(s) {
		return &pathError{reason: "is not valid UTF-8"}
	}
	if strings.IndexByte(s, 0) >= 0 {
		return &pathError{reason: "must not contain NUL characters"}
	}
	return nil
}

// checkString is checkValue with the error naming the parameter name.
func checkString(name, s string) error {
	if err := checkValue(s); err != nil {
		if !utf8.ValidString(name) || strings.IndexByte(name, 0) >= 0 {
			return malformed("a parameter name is malformed")
		}
		return withPath(err, name)
	}
	return nil
}

// decodeForm merges the form-encoded pairs of s into m.
func decodeForm(m map[string]any, s string) error {
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if pair == "" {
			continue
		}
		rawKey, rawVal, _ := strings.Cut(pair, "=")
		key, err := unescape(rawKey)
		if err != nil {
			return malformed("form body is malformed: bad escape in a parameter name")
		}
		if key == "" {
			continue
		}
		val, err := unescape(rawVal)
		if err != nil {
			return malformed("form body is malformed: bad escape in the value of %s", safeName(key))
		}
		if err := setForm(m, key, val); err != nil {
			return err
		}
	}
	return nil
}

// unescape is url.QueryUnescape without its allocation when there is
// nothing to unescape.
func unescape(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s, nil
	}
	return url.QueryUnescape(s)
}

// safeName returns a parameter name for an error message, or a placeholder
// for a name that is not printable ASCII of reasonable length.
func safeName(name string) string {
	if len(name) > 64 {
		return "a parameter"
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c >= 0x7f {
			return "a parameter"
		}
	}
	return name
}

// setForm stores val at the path that key names: "a", "a[b][c]" or "a[]".
func setForm(m map[string]any, key, val string) error {
	base, rest, nested := strings.Cut(key, "[")
	if base == "" {
		return malformed("form body is malformed: parameter name %s has no base name", safeName(key))
	}
	if err := checkString(key, base); err != nil {
		return malformed("a parameter name is malformed")
	}
	if err := checkValue(val); err != nil {
		return withPath(err, safeName(key))
	}
	if !nested {
		return setLeaf(m, base, key, val, false)
	}
	rest = "[" + rest
	node, name := m, base
	for depth := 1; ; depth++ {
		if depth > maxNesting {
			return malformed("%s is nested too deeply", safeName(key))
		}
		if rest == "" || rest[0] != '[' {
			return malformed("form body is malformed: bad brackets in parameter name %s", safeName(key))
		}
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return malformed("form body is malformed: bad brackets in parameter name %s", safeName(key))
		}
		seg := rest[1:end]
		rest = rest[end+1:]
		if seg == "" {
			if rest != "" {
				return malformed("form body is malformed: [] must end parameter name %s", safeName(key))
			}
			return setLeaf(node, name, key, val, true)
		}
		if err := checkValue(seg); err != nil {
			return malformed("a parameter name is malformed")
		}
		child, ok := node[name]
		switch c := child.(type) {
		case nil:
			if ok {
				return conflict(key)
			}
			next := map[string]any{}
			node[name] = next
			node = next
		case map[string]any:
			node = c
		default:
			return conflict(key)
		}
		name = seg
		if rest == "" {
			return setLeaf(node, name, key, val, false)
		}
	}
}

// setLeaf sets node[name] to val, or appends val to the array there.
func setLeaf(node map[string]any, name, key, val string, appendTo bool) error {
	cur, ok := node[name]
	if appendTo {
		switch c := cur.(type) {
		case nil:
			node[name] = []any{val}
		case []any:
			node[name] = append(c, val)
		default:
			return conflict(key)
		}
		return nil
	}
	if ok {
		if _, isStr := cur.(string); !isStr {
			return conflict(key)
		}
	}
	node[name] = val // the last value of a repeated name wins
	return nil
}

func conflict(key string) error {
	if i := strings.IndexByte(key, '['); i > 0 {
		key = key[:i]
	}
	return malformed("%s is malformed: it is used both as an object and as a value", safeName(key))
}
