package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/threeds"
)

func TestBrowserInfo(t *testing.T) {
	r := httptest.NewRequest("POST", "/payments/paym_test_1/authorize", strings.NewReader(url.Values{
		"browser_javascript_enabled": {"true"}, "browser_java_enabled": {"false"}, "browser_color_depth": {"30"},
		"browser_screen_height": {"900"}, "browser_screen_width": {"1600"}, "browser_tz": {"-540"},
	}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Accept-Language", "ja-JP,ja;q=0.9,en;q=0.8")
	r.Header.Set("User-Agent", "test-agent")
	r.RemoteAddr = "192.0.2.7:5555"
	bi := browserInfo(r)
	if bi.BrowserIP != "192.0.2.7" || bi.BrowserLanguage != "ja-JP" ||
		bi.BrowserColorDepth != "24" || bi.BrowserTZ != "-540" || bi.BrowserScreenWidth != "1600" || !*bi.BrowserJavascriptEnabled ||
		*bi.BrowserJavaEnabled || bi.BrowserAcceptHeader != "text/html" || bi.BrowserUserAgent != "test-agent" {
		t.Errorf("browserInfo %+v", bi)
	}
	// Without JavaScript the screen fields stay out, whatever is posted.
	r = httptest.NewRequest("POST", "/", strings.NewReader("browser_javascript_enabled=false&browser_tz=99999"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	bi = browserInfo(r)
	if *bi.BrowserJavascriptEnabled || bi.BrowserTZ != "" || bi.BrowserJavaEnabled != nil || bi.BrowserLanguage != "en" {
		t.Errorf("browserInfo without JavaScript %+v", bi)
	}
}

func TestSessionData(t *testing.T) {
	if got := sessionID(sessionData("paym_test_abc")); got != "paym_test_abc" {
		t.Errorf("round trip: %q", got)
	}
	for _, bad := range []string{"", "!!", sessionData("chrg_test_abc")} {
		if got := sessionID(bad); got != "" {
			t.Errorf("sessionID(%q) = %q, want none", bad, got)
		}
	}
}

func TestExpiryAndColorDepth(t *testing.T) {
	if got := expiry(2031, 7); got != "3107" {
		t.Errorf("expiry %s", got)
	}
	for in, want := range map[string]string{"24": "24", "30": "24", "2": "1", "64": "48", "x": "24"} {
		if got := colorDepth(in); got != want {
			t.Errorf("colorDepth(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestMessageEvidence checks that stored messages never hold the card number
// or the authentication value.
func TestMessageEvidence(t *testing.T) {
	a := &kessai.Authentication{ID: "paym_test_1"}
	areq := &threeds.AReq{AcctNumber: "4000000000001000"}
	m := message(a, areq, false)
	if strings.Contains(string(m.Body), "4000000000001000") || !strings.Contains(string(m.Body), "1000") || m.Type != "AReq" {
		t.Errorf("AReq evidence %s", m.Body)
	}
	if areq.AcctNumber != "4000000000001000" {
		t.Error("masking changed the message itself")
	}
	cavv := "AAABBBCCCDDDEEEFFFGGGHHHIII="
	for _, msg := range []threeds.Message{&threeds.ARes{AuthenticationValue: cavv}, &threeds.RReq{AuthenticationValue: cavv}} {
		if m := message(a, msg, true); strings.Contains(string(m.Body), cavv) || !strings.Contains(string(m.Body), "[sealed]") {
			t.Errorf("%s evidence %s", msg.Type(), m.Body)
		}
	}
}

func TestPageHeaders(t *testing.T) {
	s := New(Config{Payments: nopPayments{}, Directory: &HTTPDirectory{}, BaseURL: "https://gw.example"})
	w := httptest.NewRecorder()
	s.render(w, http.StatusOK, &page{Kind: "challenge", Title: "t", ACSURL: "https://acs.example/c", frameOrigins: []string{"https://acs.example"}})
	csp := w.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "frame-src 'self' https://acs.example",
		"form-action 'self' https://acs.example", "frame-ancestors 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(w.Body.String(), "<script>") || !strings.Contains(w.Body.String(), `src="/3ds/authorize.js"`) {
		t.Errorf("page has inline script or lacks its script")
	}
	// Unknown payments are a 404 page, not an error.
	w = httptest.NewRecorder()
	s.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/payments/chrg_test_1/authorize", nil))
	if w.Code != http.StatusNotFound {
		t.Errorf("not a payment id: %d", w.Code)
	}
}

// nopPayments knows no authentication.
type nopPayments struct{ kessai.AuthenticationService }

func (nopPayments) FindAuthentication(ctx context.Context, id string) (*kessai.Authentication, error) {
	return nil, kessai.Errorf(kessai.ENotFound, "not found")
}
