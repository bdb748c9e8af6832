package httpapi_test

import (
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/httpapi"
)

// exercise reads every parameter of p with every getter, nested objects
// included, and the list parameters; none may panic.
func exercise(t *testing.T, p *httpapi.Params, names []string) {
	for _, n := range names {
		p.String(n)
		p.Int64(n)
		p.Bool(n)
		p.Time(n)
		p.Map(n)
		p.Strings(n)
		if o := p.Object(n); o != nil {
			for _, m := range names {
				o.String(m)
				o.Int64(m)
				o.Strings(m)
			}
		}
	}
	if err := p.Err(); err != nil && kessai.ErrorCode(err) != kessai.EBadRequest {
		t.Fatalf("getter error with code %s: %v", kessai.ErrorCode(err), err)
	}
	if _, err := httpapi.ParseListParams(p, time.Unix(1e9, 0)); err != nil {
		if c := kessai.ErrorCode(err); c != kessai.EInvalidFilter && c != kessai.EInvalidPage {
			t.Fatalf("list error with code %s: %v", c, err)
		}
	}
}

var fuzzNames = []string{"card", "number", "amount", "metadata", "a", "b", "limit", "offset", "from", "to", "order", "webhook_endpoints", "0", "1"}

func FuzzDecodeForm(f *testing.F) {
	for _, s := range []string{
		tokenForm, "a[b][c]=1&a[b][d]=2", "webhook_endpoints[]=x&webhook_endpoints[]=y", "a=1&a[b]=2", "a[]=1&a[b]=2",
		"%zz=1", "a[=1", "[a]=1", "a[b]c=1", "limit=5&offset=-1&order=chronological&from=2019-01-01",
		"metadata[%ff]=1", "amount=%00", "a[0]=x&a[1]=y", "=&&=x&a=",
	} {
		f.Add(s, "")
		f.Add("", s)
	}
	f.Fuzz(func(t *testing.T, body, query string) {
		p, err := httpapi.DecodeParams("application/x-www-form-urlencoded", query, []byte(body))
		if err != nil {
			if kessai.ErrorCode(err) != kessai.EBadRequest {
				t.Fatalf("error with code %s: %v", kessai.ErrorCode(err), err)
			}
			return
		}
		exercise(t, p, fuzzNames)
	})
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"card":{"number":"4242424242424242","expiration_month":12}}`, `{"amount":"100","capture":false,"description":null}`,
		`{"metadata":{"a":{"b":[1,null,"x"]}}}`, `[]`, `null`, `"x"`, `{"a":1}{}`, `{"a":"\u0000"}`, `{"limit":1e400}`,
		`{"from":null,"limit":100}`, `{"webhook_endpoints":["a",{"b":1}]}`, `{"a":{"0":"x","1":"y"}}`, `{`,
	} {
		f.Add(s, "application/json")
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, body, contentType string) {
		p, err := httpapi.DecodeParams(contentType, "", []byte(body))
		if err != nil {
			if kessai.ErrorCode(err) != kessai.EBadRequest {
				t.Fatalf("error with code %s: %v", kessai.ErrorCode(err), err)
			}
			return
		}
		exercise(t, p, fuzzNames)
	})
}

// FuzzServer sends arbitrary requests through the whole stack: none may
// get a 500.
func FuzzServer(f *testing.F) {
	// No per-IP lockout: every fuzzed request comes from one address.
	e := newEnv(f, func(c *httpapi.Config) { c.AuthFailures.Max = -1 })
	e.things()
	f.Add("POST", "/tokens", "application/json", `{"card":{"number":"4242424242424242"}}`, pkeyA, "")
	f.Add("GET", "/things?limit=5", "", `{"offset":1}`, skeyA, "")
	f.Add("POST", "/things", "", "amount=1&capture=true", skeyA, "idem-1")
	f.Add("GET", "/tokens/tokn_test_x/", "", "", pkeyA, "")
	f.Fuzz(func(t *testing.T, method, path, ct, body, key, idemKey string) {
		if !validMethod(method) || len(path) == 0 || path[0] != '/' || !printableASCII(path+ct+idemKey+key) {
			return
		}
		h := map[string]string{}
		if idemKey != "" {
			h["Idempotency-Key"] = idemKey
		}
		defer func() {
			if v := recover(); v != nil {
				t.Skipf("httptest rejected the request: %v", v)
			}
		}()
		r := e.do(t, req{method: method, path: path, contentType: ct, body: body, key: key, header: h})
		if r.status >= 500 {
			t.Fatalf("%s %s: %d %s", method, path, r.status, r.body)
		}
	})
}

func validMethod(m string) bool {
	switch m {
	case "GET", "POST", "PATCH", "DELETE", "PUT", "OPTIONS", "HEAD":
		return true
	}
	return false
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}
