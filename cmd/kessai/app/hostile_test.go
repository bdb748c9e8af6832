package app_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
)

// hostileValues is the injection corpus: each value goes into every path
// wildcard, every query and body parameter, as form and as JSON.
var hostileValues = []string{
	`' OR '1'='1`, `1; DROP TABLE charges; --`, `" OR ""="`, `1' UNION SELECT key_hash FROM api_keys--`,
	`$1`, `%`, `_`, `\`, `'); SELECT pg_sleep(0); --`,
	`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `javascript:alert(1)`, `{{7*7}}`, `${7*7}`,
	"a\r\nSet-Cookie: injected=1", "a\x00b", "\u2028\u2029",
	`../../../../etc/passwd`, `..%2f..%2fetc%2fpasswd`, `%2e%2e/%2e%2e/`, `/`, `.`, `..`,
	"\xff\xfe\xfd", "\xc0\xaf", "\xed\xa0\x80",
	`99999999999999999999999999999999`, `-1`, `-9223372036854775808`, `9223372036854775807`, `1e309`, `NaN`, `0x10`, `1.5`,
	"ｃｈｒｇ＿ｔｅｓｔ", "chrg_test_\u0430bc", "\u202eevil", strings.Repeat("A", 5000),
	"", " ",
}

// paramNames are the parameters the API reads somewhere.
var paramNames = []string{
	"amount", "currency", "card", "customer", "description", "email", "capture", "return_uri", "ip",
	"metadata[k]", "limit", "offset", "order", "from", "to", "query", "scope", "filters[status]",
	"rule", "enabled", "shadow", "list", "type", "value", "name", "city", "postal_code",
	"expiration_month", "expiration_year", "default_card", "uri", "url",
}

// hostileBodies are whole bodies, sent as JSON.
func hostileBodies() map[string][]byte {
	deep := strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5000)
	deepArr := strings.Repeat(`[`, 100000)
	return map[string][]byte{
		"deep-object":  []byte(deep),
		"deep-array":   []byte(deepArr),
		"huge-number":  []byte(`{"amount":1` + strings.Repeat("0", 400) + `,"currency":"jpy"}`),
		"neg-amount":   []byte(`{"amount":-100,"currency":"jpy"}`),
		"float-amount": []byte(`{"amount":100.5,"currency":"jpy"}`),
		"bad-utf8":     []byte("{\"description\":\"\xff\xfe\",\"amount\":100}"),
		"dup-keys":     []byte(`{"amount":100,"amount":"x"}`),
		"truncated":    []byte(`{"amount":`),
		"not-object":   []byte(`[1,2,3]`),
		"null":         []byte(`null`),
		"oversized":    bytes.Repeat([]byte("a"), 1<<20),
		"many-keys":    []byte("{" + strings.TrimSuffix(strings.Repeat(`"k":1,`, 50000), ",") + "}"),
	}
}

// keyFor returns the key a route takes: the public key when it takes only
// that, else the secret key.
func (p *platform) keyFor(keys []kessai.KeyKind) string {
	if len(keys) > 0 && keys[0] == kessai.PublicKey {
		return p.creds.PublicKey
	}
	return p.creds.SecretKey
}

// checkHostile checks one answer to a hostile request: no 5xx, an error
// object for an error, and no card number.
func checkHostile(t *testing.T, what string, status int, body []byte, ctype string) {
	t.Helper()
	if status == http.StatusRequestHeaderFieldsTooLarge {
		// net/http refuses a request head over MaxHeaderBytes (64 KiB)
		// before any handler runs, with a plain-text 431.
		return
	}
	if status >= 500 {
		t.Errorf("%s: %d %.300s", what, status, body)
		return
	}
	if bytes.Contains(body, []byte("4242424242424242")) || bytes.Contains(body, []byte("4111111111111111")) {
		t.Errorf("%s: card number in the response", what)
	}
	if status < 400 {
		return
	}
	var e struct{ Object, Code, Message string }
	if err := json.Unmarshal(body, &e); err != nil || e.Object != "error" || e.Code == "" || e.Message == "" {
		t.Errorf("%s: %d without an error object: %.300s", what, status, body)
	}
	if !strings.HasPrefix(ctype, "application/json") {
		t.Errorf("%s: error with Content-Type %q", what, ctype)
	}
}

// TestHostileInput sends the injection corpus to every registered route on
// both dialects: each value in the path wildcards, in every parameter as
// query, form and JSON (with a card number in card[number] beside it), and
// whole hostile bodies (deeply nested, oversized, huge numbers, invalid
// UTF-8). Pass: no 5xx, an error object for every error, no card number in
// any response or log line.
func TestHostileInput(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		p := startPlatform(t, dsn)
		routes := p.API.Routes()
		type job struct {
			what, method, path, ctype, key string
			body                           []byte
		}
		jobs := make(chan job)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var sent int
		client := &http.Client{}
		for range 4 {
			wg.Go(func() {
				for j := range jobs {
					req, err := http.NewRequest(j.method, p.BaseURL()+j.path, bytes.NewReader(j.body))
					if err != nil {
						t.Errorf("%s: %v", j.what, err)
						continue
					}
					if j.ctype != "" {
						req.Header.Set("Content-Type", j.ctype)
					}
					if j.key != "" {
						req.SetBasicAuth(j.key, "")
					}
					res, err := client.Do(req)
					if err != nil {
						t.Errorf("%s: %v", j.what, err)
						continue
					}
					b, _ := io.ReadAll(res.Body)
					res.Body.Close()
					checkHostile(t, j.what, res.StatusCode, b, res.Header.Get("Content-Type"))
					mu.Lock()
					sent++
					mu.Unlock()
				}
			})
		}
		for _, rt := range routes {
			key := ""
			if !rt.Anonymous {
				key = p.keyFor(rt.Keys)
			}
			name := rt.Method + " " + rt.Pattern
			for i, v := range hostileValues {
				path := rt.Pattern
				for strings.Contains(path, "{") {
					a, b := strings.Index(path, "{"), strings.Index(path, "}")
					path = path[:a] + url.PathEscape(v) + path[b+1:]
				}
				form := url.Values{"card[number]": {"4242424242424242"}, "card[security_code]": {"123"}}
				js := map[string]any{"card": map[string]any{"number": "4111111111111111", "security_code": "123"}}
				for _, n := range paramNames {
					form.Set(n, v)
					js[n] = v
				}
				js["metadata"] = map[string]any{"k": v}
				jb, _ := json.Marshal(js)
				what := fmt.Sprintf("%s value %d (%.20q)", name, i, v)
				jobs <- job{what: what + " query", method: rt.Method, path: path + "?" + form.Encode(), key: key}
				if rt.Method != http.MethodGet {
					jobs <- job{what: what + " form", method: rt.Method, path: path, key: key,
						ctype: "application/x-www-form-urlencoded", body: []byte(form.Encode())}
					jobs <- job{what: what + " json", method: rt.Method, path: path, key: key,
						ctype: "application/json", body: jb}
				}
			}
			if rt.Method != http.MethodGet {
				for bn, b := range hostileBodies() {
					jobs <- job{what: name + " body " + bn, method: rt.Method, path: strings.NewReplacer("{id}", "x", "{card}", "y", "{refund}", "z").Replace(rt.Pattern),
						key: key, ctype: "application/json", body: b}
				}
			}
			jobs <- job{what: name + " odd method", method: "PROPFIND", path: rt.Pattern, key: key}
		}
		close(jobs)
		wg.Wait()
		if sent < len(routes)*len(hostileValues) {
			t.Errorf("only %d requests answered for %d routes", sent, len(routes))
		}
		if strings.Contains(p.logs.String(), "4242424242424242") || strings.Contains(p.logs.String(), "4111111111111111") {
			t.Error("a card number reached the log")
		}
		// No hostile value became a metric label: routes are patterns.
		if status, body := scrape(t, p.HTTPURL()); status != 200 {
			t.Errorf("metrics: %d", status)
		} else {
			for _, bad := range []string{"DROP", "<script", "onerror", "passwd", "%2e", "AAAAAAAA", "\\x", "UNION"} {
				if strings.Contains(body, bad) {
					t.Errorf("metrics hold %q after the corpus", bad)
				}
			}
			series := strings.Count(body, "\nkessai_http_request_duration_seconds_count{")
			if series == 0 || series > 3*len(routes)+20 {
				t.Errorf("%d request series for %d routes: labels are not bounded", series, len(routes))
			}
		}
		t.Logf("%d hostile requests to %d routes", sent, len(routes))
	})
}

// TestHostileHeaders sends, over raw TCP, requests that Go's client would
// refuse to build: CR/LF and NUL in header values and in the request
// target, an overlong header, a bad Authorization scheme. Pass: the server
// answers with a 4xx (or closes the connection) and never echoes an
// injected header.
func TestHostileHeaders(t *testing.T) {
	p := startPlatform(t, "sqlite:"+t.TempDir()+"/gw.db")
	host := strings.TrimPrefix(p.HTTPURL(), "http://")
	auth := "Authorization: Basic " + basicCreds(p.creds.SecretKey) + "\r\n"
	cases := map[string]string{
		"crlf-in-target":   "GET /charges?x=%0d%0aSet-Cookie:%20injected=1 HTTP/1.1\r\nHost: h\r\n" + auth + "\r\n",
		"lf-in-header":     "GET /charges HTTP/1.1\r\nHost: h\r\n" + auth + "Idempotency-Key: a\nSet-Cookie: injected=1\r\n\r\n",
		"nul-in-header":    "POST /customers HTTP/1.1\r\nHost: h\r\n" + auth + "Idempotency-Key: a\x00b\r\nContent-Length: 0\r\n\r\n",
		"request-id-crlf":  "GET /charges HTTP/1.1\r\nHost: h\r\n" + auth + "Request-Id: x%0d%0aSet-Cookie:injected=1\r\n\r\n",
		"bearer-auth":      "GET /charges HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer ' OR 1=1 --\r\n\r\n",
		"basic-garbage":    "GET /charges HTTP/1.1\r\nHost: h\r\nAuthorization: Basic %%%%'--\r\n\r\n",
		"huge-header":      "GET /charges HTTP/1.1\r\nHost: h\r\nX-Big: " + strings.Repeat("a", 100<<10) + "\r\n\r\n",
		"sqli-in-key":      "GET /charges HTTP/1.1\r\nHost: h\r\nAuthorization: Basic " + basicCreds("skey_test_' OR '1'='1") + "\r\n\r\n",
		"traversal-target": "GET /../../etc/passwd HTTP/1.1\r\nHost: h\r\n" + auth + "\r\n",
		"absolute-target":  "GET http://evil.test/charges HTTP/1.1\r\nHost: h\r\n" + auth + "\r\n",
		"bad-version":      "GET /charges HTTP/9.9\r\nHost: h\r\n\r\n",
		"chunked-bad":      "POST /customers HTTP/1.1\r\nHost: h\r\n" + auth + "Transfer-Encoding: chunked\r\n\r\nzz\r\n",
		"cl-te-smuggle":    "POST /customers HTTP/1.1\r\nHost: h\r\n" + auth + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /account HTTP/1.1\r\n\r\n",
	}
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := net.Dial("tcp", host)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := io.WriteString(c, raw); err != nil {
				t.Fatal(err)
			}
			res, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				return // the server closed the connection: refused
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			// net/http itself answers an unknown protocol version with 505.
			if res.StatusCode >= 500 && !(name == "bad-version" && res.StatusCode == http.StatusHTTPVersionNotSupported) {
				t.Errorf("%d %s", res.StatusCode, b)
			}
			if res.Header.Get("Set-Cookie") != "" {
				t.Errorf("injected header echoed: %v", res.Header)
			}
			if res.StatusCode >= 400 && res.Header.Get("Request-Id") != "" {
				checkHostile(t, name, res.StatusCode, b, res.Header.Get("Content-Type"))
			}
		})
	}
}

func basicCreds(key string) string {
	r, _ := http.NewRequest("GET", "/", nil)
	r.SetBasicAuth(key, "")
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}
