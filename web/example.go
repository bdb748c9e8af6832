package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ExamplePath is where [Example] must be mounted.
const ExamplePath = "/example/"

// ExampleConfig sets up the example checkout page.
type ExampleConfig struct {
	// PublicKey prefills the page's public key field; the user can type one
	// when it is empty. A public key may be shown: it only creates tokens.
	PublicKey string
	// VaultURL is the vault the page creates tokens with, such as
	// "https://127.0.0.1:8443". Empty means the origin that serves the page
	// (and kessai.js).
	VaultURL string
}

var (
	exampleCSS  = loadAsset("example/checkout.css", "public, max-age=300")
	exampleJS   = loadAsset("example/checkout.js", "public, max-age=300")
	examplePage = template.Must(template.ParseFS(static, "static/example/index.html"))
)

// Example returns the handler of the example checkout page, to be mounted
// at [ExamplePath]: the page itself at ExamplePath and its script and style
// sheet beside it; other paths below it are 404. The page is sent with a
// strict Content-Security-Policy (scripts, styles and connections to its own
// origin only, plus the vault for connections; no framing; no form
// submission) and is not cached.
//
// Example fails when cfg.VaultURL is set but is not an absolute http or
// https URL without user info, query or fragment.
func Example(cfg ExampleConfig) (http.Handler, error) {
	vault, origin, err := parseVaultURL(cfg.VaultURL)
	if err != nil {
		return nil, err
	}
	connect := "'self'"
	if origin != "" {
		connect += " " + origin
	}
	csp := strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"connect-src " + connect,
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; ")

	mux := http.NewServeMux()
	mux.Handle(ExamplePath+"checkout.js", exampleJS)
	mux.Handle(ExamplePath+"checkout.css", exampleCSS)
	mux.HandleFunc(ExamplePath, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != ExamplePath {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		var buf bytes.Buffer
		err := examplePage.Execute(&buf, map[string]any{
			"PublicKey":      cfg.PublicKey,
			"VaultURL":       vault,
			"ExpirationYear": time.Now().Year() + 3,
		})
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if r.Method == http.MethodHead {
			return
		}
		w.Write(buf.Bytes())
	})
	return mux, nil
}

// parseVaultURL returns the vault URL without a trailing slash and its
// origin, both "" for an empty s.
func parseVaultURL(s string) (vault, origin string, err error) {
	if s == "" {
		return "", "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", "", fmt.Errorf("web: vault URL %q must be an absolute http or https URL", s)
	}
	return strings.TrimRight(u.String(), "/"), u.Scheme + "://" + u.Host, nil
}
