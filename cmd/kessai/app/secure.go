package app

import "net/http"

// Security headers every response of the platform's listeners starts
// with; the API and the pages replace the CSP with their own.
var (
	hstsValue  = []string{"max-age=63072000; includeSubDomains"}
	defaultCSP = []string{"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"}
)

// secureHeaders sends HSTS on every response over TLS (or, behind a
// trusted TLS proxy, on requests it marks https), and a deny-all
// Content-Security-Policy unless the handler sets its own, so that assets
// and pages outside the API get them too.
func secureHeaders(next http.Handler, behindProxy bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if r.TLS != nil || behindProxy && r.Header.Get("X-Forwarded-Proto") == "https" {
			h["Strict-Transport-Security"] = hstsValue
		}
		h["Content-Security-Policy"] = defaultCSP
		next.ServeHTTP(w, r)
	})
}
