package web_test

import (
	"crypto/sha512"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai/web"
)

func mustHandler(tb testing.TB, cfg web.ExampleConfig) http.Handler {
	tb.Helper()
	h, err := web.Handler(cfg)
	if err != nil {
		tb.Fatalf("Handler: %v", err)
	}
	return h
}

func serve(h http.Handler, method, target string, header ...string) *http.Response {
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func body(tb testing.TB, res *http.Response) string {
	tb.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestScript(t *testing.T) {
	h := mustHandler(t, web.ExampleConfig{})
	want, err := os.ReadFile("static/kessai.js")
	if err != nil {
		t.Fatal(err)
	}

	res := serve(h, "GET", web.ScriptPath)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %s", web.ScriptPath, res.Status)
	}
	if got := body(t, res); got != string(want) {
		t.Error("body is not static/kessai.js")
	}
	got := map[string]string{}
	for _, k := range []string{"Content-Type", "Cache-Control", "Access-Control-Allow-Origin", "Cross-Origin-Resource-Policy", "X-Content-Type-Options"} {
		got[k] = res.Header.Get(k)
	}
	wantHeaders := map[string]string{
		"Content-Type":                 "text/javascript; charset=utf-8",
		"Cache-Control":                "public, max-age=300",
		"Access-Control-Allow-Origin":  "*",
		"Cross-Origin-Resource-Policy": "cross-origin",
		"X-Content-Type-Options":       "nosniff",
	}
	if diff := cmp.Diff(wantHeaders, got); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
	etag := res.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}

	if res := serve(h, "GET", web.ScriptPath, "If-None-Match", etag); res.StatusCode != http.StatusNotModified {
		t.Errorf("GET with If-None-Match: %s, want 304", res.Status)
	}
	if res := serve(h, "HEAD", web.ScriptPath); res.StatusCode != 200 || body(t, res) != "" {
		t.Errorf("HEAD: %s", res.Status)
	}
	if res := serve(h, "POST", web.ScriptPath); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %s, want 405", res.Status)
	}

	sum := sha512.Sum384(want)
	if got, want := web.ScriptIntegrity(), "sha384-"+base64.StdEncoding.EncodeToString(sum[:]); got != want {
		t.Errorf("ScriptIntegrity() = %q, want %q", got, want)
	}
}

func TestExample(t *testing.T) {
	h := mustHandler(t, web.ExampleConfig{PublicKey: "pkey_test_5abc", VaultURL: "http://127.0.0.1:9999/"})

	res := serve(h, "GET", web.ExamplePath)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %s", web.ExamplePath, res.Status)
	}
	page := body(t, res)
	got := map[string]string{}
	for _, k := range []string{"Content-Type", "Cache-Control", "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"} {
		got[k] = res.Header.Get(k)
	}
	want := map[string]string{
		"Content-Type":  "text/html; charset=utf-8",
		"Cache-Control": "no-store",
		"Content-Security-Policy": "default-src 'self'; script-src 'self'; connect-src 'self' http://127.0.0.1:9999; " +
			"object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
		"X-Frame-Options":        "DENY",
		"X-Content-Type-Options": "nosniff",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
	for _, s := range []string{`value="pkey_test_5abc"`, `data-vault-url="http://127.0.0.1:9999"`, `<script src="/kessai.js"`, `value="4242 4242 4242 4242"`} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %s", s)
		}
	}

	for path, ct := range map[string]string{"checkout.js": "text/javascript; charset=utf-8", "checkout.css": "text/css; charset=utf-8"} {
		res := serve(h, "GET", web.ExamplePath+path)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != ct {
			t.Errorf("GET %s: %s, Content-Type %q", path, res.Status, res.Header.Get("Content-Type"))
		}
	}
	for _, path := range []string{web.ExamplePath + "index.html", web.ExamplePath + "nope", "/other"} {
		if res := serve(h, "GET", path); res.StatusCode != 404 {
			t.Errorf("GET %s: %s, want 404", path, res.Status)
		}
	}
	if res := serve(h, "POST", web.ExamplePath); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %s, want 405", res.Status)
	}
}

// TestExampleStrictCSP checks the page against what its CSP forbids: inline
// scripts, event handler attributes, inline styles and javascript: URLs. And
// the card inputs must have no name, so a form submission cannot carry them.
func TestExampleStrictCSP(t *testing.T) {
	page := body(t, serve(mustHandler(t, web.ExampleConfig{}), "GET", web.ExamplePath))
	for _, tag := range regexp.MustCompile(`(?is)<script\b[^>]*>`).FindAllString(page, -1) {
		if !strings.Contains(tag, " src=") {
			t.Errorf("inline script: %s", tag)
		}
	}
	if m := regexp.MustCompile(`(?is)<script\b[^>]*>\s*[^<\s]`).FindString(page); m != "" {
		t.Errorf("script with content: %s", m)
	}
	for _, re := range []string{`(?i)\son[a-z]+\s*=`, `(?i)\sstyle\s*=`, `(?i)<style`, `(?i)javascript:`, `(?i)<input[^>]*\sname=`} {
		if m := regexp.MustCompile(re).FindString(page); m != "" {
			t.Errorf("page has %q", m)
		}
	}
	if !strings.Contains(page, `data-vault-url=""`) {
		t.Error("vault URL is not empty when none is configured")
	}
}

func TestExampleEscapes(t *testing.T) {
	page := body(t, serve(mustHandler(t, web.ExampleConfig{PublicKey: `"><script>alert(1)</script>`}), "GET", web.ExamplePath))
	if strings.Contains(page, "<script>alert") {
		t.Error("public key is not escaped")
	}
}

func TestExampleBadVaultURL(t *testing.T) {
	for _, u := range []string{"javascript:alert(1)", "ftp://127.0.0.1", "//127.0.0.1:8080", "127.0.0.1:8080",
		"http://user:pass@127.0.0.1", "http://127.0.0.1/?x=1", "http://127.0.0.1/#x", "http://"} {
		if _, err := web.Example(web.ExampleConfig{VaultURL: u}); err == nil {
			t.Errorf("Example(VaultURL %q) succeeded", u)
		}
	}
}
