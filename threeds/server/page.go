package server

import (
	"bytes"
	"context"
	"embed"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/threeds"
)

// ScriptPath is where the pages' script is served.
const ScriptPath = "/3ds/authorize.js"

//go:embed static
var static embed.FS

var (
	pageTemplate = template.Must(template.ParseFS(static, "static/page.html"))
	pageScript   = asset("static/authorize.js", "text/javascript; charset=utf-8")
	pageStyle    = asset("static/authorize.css", "text/css; charset=utf-8")
)

// asset serves an embedded file with a content type and five minutes of
// caching.
func asset(name, ctype string) http.Handler {
	b, err := static.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
	})
}

// page is what page.html shows.
type page struct {
	Kind            string // start, challenge, waiting, breakout, method-done, final, error
	Title, Message  string
	Refresh         string
	Display         string
	Origin          string // the merchant's origin, for postMessage
	Result          string // JSON of the result, on the final page
	MethodTimeoutMS int64
	MethodURL       string
	MethodData      string
	Action          string
	ACSURL          string
	CReq            string
	SessionData     string
	Next            string
	ReturnURI       string
	// frameOrigins are the ACS origins the page frames and posts to.
	frameOrigins []string
}

// render writes p with its Content-Security-Policy: scripts, styles and
// forms of this origin only, plus the ACS origins the page frames and
// posts to; framed only by this origin (the method and challenge
// iframes); never cached.
func (s *Server) render(w http.ResponseWriter, status int, p *page) {
	extra := strings.Join(p.frameOrigins, " ")
	// The method and challenge iframes end on this origin's notification
	// pages.
	frame := strings.TrimSpace("'self' " + extra)
	csp := strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self'",
		"frame-src " + frame,
		strings.TrimSpace("form-action 'self' " + extra),
		"frame-ancestors 'self'",
		"base-uri 'none'",
	}, "; ")
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, p); err != nil {
		s.log.Error("threeds: render page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", csp)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// origin returns the scheme://host of a URL, "" when it has none.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// load returns the authentication named in the path, or writes a 404 page.
func (s *Server) load(w http.ResponseWriter, r *http.Request) *kessai.Authentication {
	id := r.PathValue("id")
	if !kessai.HasPrefix(id, kessai.PrefixPayment) {
		s.notFound(w)
		return nil
	}
	a, err := s.cfg.Payments.FindAuthentication(r.Context(), id)
	if err != nil {
		if kessai.ErrorCode(err) == kessai.ENotFound {
			s.notFound(w)
		} else {
			s.failPage(w, err)
		}
		return nil
	}
	return a
}

func (s *Server) notFound(w http.ResponseWriter) {
	s.render(w, http.StatusNotFound, &page{Kind: "error", Title: "Payment not found",
		Message: "This payment link is not valid. Go back to the shop and try again."})
}

func (s *Server) failPage(w http.ResponseWriter, err error) {
	s.log.Error("threeds: page", "err", err)
	s.render(w, http.StatusServiceUnavailable, &page{Kind: "error", Title: "Please try again",
		Message: "The payment service is busy. Reload this page in a moment.", Refresh: "2"})
}

func (s *Server) pageURL(a *kessai.Authentication, what string) string {
	return s.cfg.BaseURL + "/payments/" + a.ID + "/" + what
}

// getAuthorize serves the page of the authentication's current state. It
// takes the steps that only showing the page takes: the 3DS Method starts
// (method_pending), and a challenge's CReq is handed over (in_challenge).
func (s *Server) getAuthorize(w http.ResponseWriter, r *http.Request) {
	a := s.load(w, r)
	if a == nil {
		return
	}
	ctx := r.Context()
	for range 3 {
		done, err := s.showState(ctx, w, r, a)
		if done {
			return
		}
		if !isConflict(err) {
			s.failPage(w, err)
			return
		}
		if a, err = s.reread(ctx, a.ID); err != nil {
			s.failPage(w, err)
			return
		}
	}
	s.failPage(w, kessai.Errorf(kessai.EConflict, "authentication keeps changing"))
}

// showState renders the page of a's state, storing the step it takes
// first. It returns false with an EConflict error when another request
// changed a meanwhile.
func (s *Server) showState(ctx context.Context, w http.ResponseWriter, r *http.Request, a *kessai.Authentication) (bool, error) {
	switch a.State {
	case kessai.AuthPending, kessai.AuthMethodPending:
		if a.CompInd != "" {
			// The AReq is on its way (another tab, a double submit).
			s.render(w, http.StatusOK, &page{Kind: "waiting", Title: "Checking your card…", Refresh: "1"})
			return true, nil
		}
		if a.State == kessai.AuthPending {
			if r.URL.Query().Get("display") == "popup" {
				a.Display = "popup"
			}
			c, err := s.cfg.Payments.AuthenticationCard(ctx, a)
			if err != nil {
				return false, err
			}
			a.MethodURL = s.methodURL(ctx, c.Number.Reveal())
			if a.MethodURL != "" {
				a.State = kessai.AuthMethodPending
			}
			if err := s.cfg.Payments.SaveAuthentication(ctx, a); err != nil {
				return false, err
			}
		}
		p := &page{Kind: "start", Title: "Confirming your payment", Display: a.Display,
			Message: "Your card issuer may ask you to confirm this payment.", Action: s.pageURL(a, "authorize"),
			MethodTimeoutMS: s.cfg.MethodTimeout.Milliseconds()}
		if a.MethodURL != "" {
			p.MethodURL = a.MethodURL
			p.MethodData = threeds.MethodData{ThreeDSServerTransID: a.ServerTransID, ThreeDSMethodNotificationURL: s.pageURL(a, "method")}.Encode()
			p.frameOrigins = []string{origin(a.MethodURL)}
		}
		s.render(w, http.StatusOK, p)
		return true, nil
	case kessai.AuthChallengeRequired, kessai.AuthInChallenge:
		if a.TransStatus != threeds.StatusChallenge {
			// The CRes came before the RReq: the result is awaited.
			s.render(w, http.StatusOK, &page{Kind: "waiting", Title: "Finishing…", Refresh: "1"})
			return true, nil
		}
		creq := &threeds.CReq{
			Header:              threeds.Header{MessageVersion: a.MessageVersion, ThreeDSServerTransID: a.ServerTransID, ACSTransID: a.ACSTransID},
			ChallengeWindowSize: threeds.Window500x600,
		}
		enc, err := threeds.EncodeBrowser(creq)
		if err != nil {
			return false, err
		}
		if a.State == kessai.AuthChallengeRequired {
			body, _ := json.Marshal(creq)
			a.State, a.Deadline = kessai.AuthInChallenge, time.Now().Add(s.cfg.ChallengeTimeout)
			if err := s.cfg.Payments.SaveAuthentication(ctx, a, &kessai.AuthenticationMessage{AuthenticationID: a.ID, Type: threeds.TypeCReq, Body: body}); err != nil {
				return false, err
			}
		}
		s.render(w, http.StatusOK, &page{Kind: "challenge", Title: "Confirm with your card issuer", Display: a.Display,
			ACSURL: a.ACSURL, CReq: enc, SessionData: sessionData(a.ID), frameOrigins: []string{origin(a.ACSURL)}})
		return true, nil
	}
	return true, s.finalPage(ctx, w, a)
}

// finalPage shows the outcome and hands back to the merchant: in a popup
// by postMessage to the opener, otherwise by redirecting to return_uri.
func (s *Server) finalPage(ctx context.Context, w http.ResponseWriter, a *kessai.Authentication) error {
	ch, err := s.cfg.Payments.AuthenticationCharge(ctx, a)
	if err != nil {
		s.failPage(w, err)
		return nil
	}
	res := resultOf(a, ch)
	b, _ := json.Marshal(res)
	p := &page{Kind: "final", Display: a.Display, Result: string(b), Title: "Payment confirmed",
		Message: "You can now return to the shop."}
	if ch.Status == kessai.ChargeFailed {
		p.Title, p.Message = "Payment not completed", "The payment could not be confirmed. Return to the shop to try again."
	}
	if ch.ReturnURI != nil {
		p.ReturnURI = *ch.ReturnURI
		p.Origin = origin(*ch.ReturnURI)
		if a.Display != "popup" {
			p.Refresh = "0;url=" + *ch.ReturnURI
		}
	}
	s.render(w, http.StatusOK, p)
	return nil
}

// Result is the outcome of an authentication as the final page posts it
// to the opener and GET /payments/{id}/result answers it.
type Result struct {
	Object string `json:"object"` // "authorization_result"
	// Charge is the charge id, Status its status; Final is false while
	// the authentication is still open.
	Charge        string `json:"charge"`
	Status        string `json:"status"`
	Final         bool   `json:"final"`
	Authenticated bool   `json:"authenticated"`
	FailureCode   string `json:"failure_code,omitempty"`
	ReturnURI     string `json:"return_uri,omitempty"`
}

func resultOf(a *kessai.Authentication, ch *kessai.Charge) *Result {
	r := &Result{Object: "authorization_result", Charge: ch.ID, Status: string(ch.Status),
		Final: a.State.Final() && ch.Inflight == "", Authenticated: a.State.Succeeded()}
	if ch.FailureCode != nil {
		r.FailureCode = *ch.FailureCode
	}
	if ch.ReturnURI != nil {
		r.ReturnURI = *ch.ReturnURI
	}
	return r
}

// result answers GET /payments/{id}/result: the outcome as JSON, readable
// by the merchant's page (Kessai.authorize's fallback when no message
// came). The id is the capability: it reveals only status and charge id.
func (s *Server) result(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	id := r.PathValue("id")
	var a *kessai.Authentication
	var err error
	if kessai.HasPrefix(id, kessai.PrefixPayment) {
		a, err = s.cfg.Payments.FindAuthentication(r.Context(), id)
	} else {
		err = kessai.Errorf(kessai.ENotFound, "not found")
	}
	var ch *kessai.Charge
	if err == nil {
		ch, err = s.cfg.Payments.AuthenticationCharge(r.Context(), a)
	}
	if err != nil {
		status := http.StatusServiceUnavailable
		if kessai.ErrorCode(err) == kessai.ENotFound {
			status = http.StatusNotFound
		}
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]string{"object": "error", "code": "not_found", "message": "payment was not found"})
		return
	}
	json.NewEncoder(w).Encode(resultOf(a, ch))
}

// sessionData is the threeDSSessionData of a challenge: the
// authentication id, base64url.
func sessionData(id string) string { return base64.RawURLEncoding.EncodeToString([]byte(id)) }

// sessionID returns the authentication id of a threeDSSessionData, "" when
// it is not one.
func sessionID(v string) string {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(v, "="))
	if err != nil || !kessai.HasPrefix(string(b), kessai.PrefixPayment) {
		return ""
	}
	return string(b)
}

// browserInfo collects the AReq's browserInfo from the request and the
// form the page posted.
func browserInfo(r *http.Request) threeds.BrowserInfo {
	clip := func(s string, n int) string {
		if len(s) > n {
			return s[:n]
		}
		return s
	}
	bi := threeds.BrowserInfo{
		BrowserAcceptHeader: clip(r.Header.Get("Accept"), 2048),
		BrowserUserAgent:    clip(r.UserAgent(), 2048),
	}
	if bi.BrowserAcceptHeader == "" {
		bi.BrowserAcceptHeader = "text/html"
	}
	if bi.BrowserUserAgent == "" {
		bi.BrowserUserAgent = "unknown"
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		bi.BrowserIP = host
	}
	lang := r.Header.Get("Accept-Language")
	if i := strings.IndexAny(lang, ",;"); i >= 0 {
		lang = lang[:i]
	}
	lang = strings.TrimSpace(lang)
	if lang == "" || len(lang) > 8 {
		lang = "en"
	}
	bi.BrowserLanguage = lang
	js := r.PostFormValue("browser_javascript_enabled") == "true"
	bi.BrowserJavascriptEnabled = &js
	if js {
		java := r.PostFormValue("browser_java_enabled") == "true"
		bi.BrowserJavaEnabled = &java
		num := func(name string, max int) string {
			v := r.PostFormValue(name)
			if n, err := strconv.Atoi(v); err == nil && n >= -max && n <= max {
				return strconv.Itoa(n)
			}
			return ""
		}
		bi.BrowserColorDepth = colorDepth(r.PostFormValue("browser_color_depth"))
		bi.BrowserScreenHeight = num("browser_screen_height", 999999)
		bi.BrowserScreenWidth = num("browser_screen_width", 999999)
		bi.BrowserTZ = num("browser_tz", 1440)
	}
	return bi
}

// colorDepth returns the nearest allowed browserColorDepth at or below v.
func colorDepth(v string) string {
	n, err := strconv.Atoi(v)
	if err != nil {
		return "24"
	}
	best := "1"
	for _, d := range []int{1, 4, 8, 15, 16, 24, 32, 48} {
		if n >= d {
			best = strconv.Itoa(d)
		}
	}
	return best
}
