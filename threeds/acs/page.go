package acs

import (
	"crypto/rand"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
)

// The pages of the ACS: served into the 3DS Requestor's iframe (or the
// main window without JavaScript), with a strict Content-Security-Policy
// whose only script and style are this response's nonce.
var pages = template.Must(template.New("").Parse(`
{{define "head"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}}</title>
<style nonce="{{.Nonce}}">
body{font:16px/1.4 system-ui,sans-serif;margin:0;padding:1rem;color:#111;background:#fff}
h1{font-size:1.2rem;margin:0 0 .5rem}dl{display:grid;grid-template-columns:auto 1fr;gap:.2rem 1rem;margin:.5rem 0}
dt{color:#555}.test{background:#fff4d6;border:1px solid #e0b000;padding:.5rem}.error{color:#a00;font-weight:bold}
input{font-size:1.3rem;letter-spacing:.2em;width:9em;padding:.3rem}button{font-size:1rem;padding:.4rem 1rem;margin:.5rem .5rem 0 0}
</style></head><body>{{end}}

{{define "challenge"}}{{template "head" .}}
<main>
<h1>Kessai Card: confirm your purchase</h1>
<dl><dt>Merchant</dt><dd>{{.Merchant}}</dd><dt>Amount</dt><dd>{{.Amount}}</dd><dt>Card</dt><dd>•••• {{.Last4}}</dd></dl>
{{if .TestMode}}<p class="test" id="test-mode">Test mode: the one-time password is <strong>{{.OTP}}</strong>.</p>
{{else}}<p>We sent a one-time password to the phone number registered with your card.</p>{{end}}
{{if .Error}}<p class="error" role="alert" id="error">{{.Error}}</p>{{end}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="page" value="{{.Page}}">
<label for="otp">One-time password</label><br>
<input id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" maxlength="12">
<br><button type="submit" name="action" value="submit" id="submit">Submit</button>
<button type="submit" name="action" value="cancel" id="cancel">Cancel</button>
</form>
<p>Tries left: <span id="tries-left">{{.TriesLeft}}</span></p>
</main></body></html>{{end}}

{{define "post"}}{{template "head" .}}
<main>
<p>{{.Message}}</p>
<form method="post" action="{{.Target}}" id="post">
{{range .Fields}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<noscript><button type="submit">Continue</button></noscript>
</form>
</main>
<script nonce="{{.Nonce}}">document.getElementById("post").submit();</script>
</body></html>{{end}}

{{define "error"}}{{template "head" .}}
<main><h1>{{.Title}}</h1><p class="error" role="alert" id="error">{{.Message}}</p></main></body></html>{{end}}
`))

// field is a hidden form field of a "post" page.
type field struct{ Name, Value string }

// nonce returns a fresh CSP nonce.
func nonce() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// origin returns the scheme://host of u, or "" when u is not absolute.
func origin(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Scheme == "" || p.Host == "" {
		return ""
	}
	return p.Scheme + "://" + p.Host
}

// render writes a page with the security headers. formTarget is the
// origin the page's form may post to besides the ACS itself; framer is
// the origin that may frame it ("" allows none besides the ACS).
func render(w http.ResponseWriter, status int, name string, data map[string]any, formTarget, framer string) {
	n := nonce()
	data["Nonce"] = n
	csp := "default-src 'none'; script-src 'nonce-" + n + "'; style-src 'nonce-" + n + "'; base-uri 'none'; form-action 'self'"
	if formTarget != "" {
		csp += " " + formTarget
	}
	csp += "; frame-ancestors 'self'"
	if framer != "" {
		csp += " " + framer
	}
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Strict-Transport-Security", "max-age=31536000")
	w.WriteHeader(status)
	pages.ExecuteTemplate(w, name, data)
}

// errorPage answers a browser request the ACS cannot tie to a
// transaction it could answer through the 3DS Requestor.
func errorPage(w http.ResponseWriter, status int, message string) {
	render(w, status, "error", map[string]any{"Title": "Verification unavailable", "Message": message}, "", "")
}
