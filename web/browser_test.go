package web_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai/web"
)

const chromium = "/usr/bin/chromium"

const testPublicKey = "pkey_test_5zbench0000000000000"

// vaultStandIn is a stand-in for the vault's POST /tokens: it records what
// it received and answers with a token, with CORS for cross-origin pages.
type vaultStandIn struct {
	mu       sync.Mutex
	requests []tokenRequest
}

type tokenRequest struct {
	Authorization, ContentType, Cookie, Origin string
	Body                                       map[string]any
}

func (v *vaultStandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if origin := r.Header.Get("Origin"); origin != "" {
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Set("Vary", "Origin")
	}
	if r.Method == http.MethodOptions {
		w.Header().Set("Access-Control-Allow-Methods", "POST")
		w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	req := tokenRequest{
		Authorization: r.Header.Get("Authorization"),
		ContentType:   r.Header.Get("Content-Type"),
		Cookie:        r.Header.Get("Cookie"),
		Origin:        r.Header.Get("Origin"),
	}
	err := json.NewDecoder(r.Body).Decode(&req.Body)
	v.mu.Lock()
	v.requests = append(v.requests, req)
	v.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"object":"error","code":"bad_request","message":"malformed JSON"}`))
		return
	}
	card, _ := req.Body["card"].(map[string]any)
	number, _ := card["number"].(string)
	number = strings.ReplaceAll(number, " ", "")
	last := number[max(0, len(number)-4):]
	json.NewEncoder(w).Encode(map[string]any{
		"object": "token", "id": "tokn_test_5standin00000000000", "livemode": false,
		"location": "/tokens/tokn_test_5standin00000000000", "used": false, "charge_status": "unknown",
		"card": map[string]any{"object": "card", "id": "card_test_5standin00000000000", "brand": "Visa", "last_digits": last},
	})
}

func (v *vaultStandIn) received() []tokenRequest {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]tokenRequest(nil), v.requests...)
}

// withCookie sets a cookie for the page's host on every page response, so
// that a request carrying cookies to the vault (which shares the host
// 127.0.0.1) would show.
func withCookie(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "shop_session", Value: "secret", Path: "/"})
		h.ServeHTTP(w, r)
	})
}

// newBrowser starts headless chromium for the test, or skips the test when
// it is not installed.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("%s not installed: %v", chromium, err)
	}
	// The profile directory is removed with retries: chromium's helper
	// processes may still write to it for a moment after it exits.
	profile, err := os.MkdirTemp("", "kessai-web-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.Headless,
		chromedp.UserDataDir(profile),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(800, 1000),
	)
	parent, cancelTimeout := context.WithTimeout(t.Context(), 2*time.Minute)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(parent, opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc(); cancelTimeout() })
	// Start the browser now, on a context without its own deadline.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}
	return ctx
}

// newTab opens a tab that records CSP violations and uncaught errors in
// window.__problems from the first script of every page on.
func newTab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: `window.__problems = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__problems.push('CSP ' + e.violatedDirective + ' ' + e.blockedURI);
});
window.addEventListener('error', function (e) { window.__problems.push('error ' + e.message); });
window.addEventListener('unhandledrejection', function (e) { window.__problems.push('rejection ' + e.reason); });`,
		})
		return err
	}))
	if err != nil {
		t.Fatalf("set up tab: %v", err)
	}
	return ctx
}

func saveScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	file := filepath.Join(t.ArtifactDir(), name)
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Errorf("save screenshot: %v", err)
		return
	}
	t.Logf("screenshot: %s", file)
}

func TestBrowserCheckout(t *testing.T) {
	browser := newBrowser(t)
	year := strconv.Itoa(time.Now().Year() + 3)
	wantCard := map[string]any{"card": map[string]any{
		"name": "Somchai Prasert", "number": "4242 4242 4242 4242",
		"expiration_month": "12", "expiration_year": year, "security_code": "123",
		"city": "Bangkok", "postal_code": "10320",
	}}
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte(testPublicKey+":"))

	tests := []struct {
		name        string
		crossOrigin bool
	}{
		{"SameOrigin", false},
		{"CrossOrigin", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vault := &vaultStandIn{}
			var pageSrv, vaultSrv *httptest.Server
			cfg := web.ExampleConfig{PublicKey: testPublicKey}
			if tt.crossOrigin {
				vaultSrv = httptest.NewServer(vault)
				t.Cleanup(vaultSrv.Close)
				cfg.VaultURL = vaultSrv.URL
			}
			mux := http.NewServeMux()
			mux.Handle("/", withCookie(mustHandler(t, cfg)))
			if !tt.crossOrigin {
				mux.Handle("/tokens", vault)
			}
			pageSrv = httptest.NewServer(mux)
			t.Cleanup(pageSrv.Close)
			if vaultSrv == nil {
				vaultSrv = pageSrv
			}

			ctx := newTab(t, browser)
			err := chromedp.Do(ctx,
				chromedp.Navigate(pageSrv.URL+web.ExamplePath),
				chromedp.WaitEnabled(chromedp.ID("pay")),
			)
			if err != nil {
				t.Fatalf("load page: %v", err)
			}
			vaultURL, err := chromedp.Run(ctx, chromedp.Evaluate[string]("Kessai.config.vaultUrl"))
			if err != nil || vaultURL != vaultSrv.URL {
				t.Errorf("Kessai.config.vaultUrl = %q (%v), want %q", vaultURL, err, vaultSrv.URL)
			}

			if err := chromedp.Do(ctx,
				chromedp.Click(chromedp.ID("pay")),
				chromedp.WaitVisible(chromedp.ID("result")),
			); err != nil {
				saveScreenshot(t, ctx, "checkout-failed.png")
				t.Fatalf("create token: %v", err)
			}
			shown := map[string]string{}
			for _, id := range []string{"token-id", "card-brand", "card-last-digits", "number", "security-code"} {
				var err error
				if id == "number" || id == "security-code" {
					shown[id], err = chromedp.Run(ctx, chromedp.Value(chromedp.ID(id)))
				} else {
					shown[id], err = chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
				}
				if err != nil {
					t.Fatalf("read #%s: %v", id, err)
				}
			}
			wantShown := map[string]string{
				"token-id": "tokn_test_5standin00000000000", "card-brand": "Visa", "card-last-digits": "4242",
				"number": "", "security-code": "",
			}
			if diff := cmp.Diff(wantShown, shown); diff != "" {
				t.Errorf("page shows (-want +got):\n%s", diff)
			}
			text, err := chromedp.Run(ctx, chromedp.Evaluate[string](
				`document.body.innerText + Array.from(document.querySelectorAll('input'), function (e) { return e.value; }).join(' ')`))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(strings.ReplaceAll(text, " ", ""), "4242424242424242") {
				t.Error("the page still shows the card number")
			}
			problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string]("window.__problems"))
			if err != nil || len(problems) > 0 {
				t.Errorf("page problems: %q (%v)", problems, err)
			}
			saveScreenshot(t, ctx, "checkout-"+strings.ToLower(tt.name)+".png")

			got := vault.received()
			if len(got) != 1 {
				t.Fatalf("stand-in vault got %d token requests, want 1", len(got))
			}
			r := got[0]
			if r.Authorization != wantAuth {
				t.Errorf("Authorization = %q, want %q", r.Authorization, wantAuth)
			}
			if r.ContentType != "application/json" {
				t.Errorf("Content-Type = %q", r.ContentType)
			}
			if r.Cookie != "" {
				t.Errorf("the token request carried cookies: %q", r.Cookie)
			}
			if tt.crossOrigin && r.Origin != pageSrv.URL {
				t.Errorf("Origin = %q, want %q", r.Origin, pageSrv.URL)
			}
			if diff := cmp.Diff(wantCard, r.Body); diff != "" {
				t.Errorf("token request body (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("NetworkError", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		dead := "http://" + ln.Addr().String()
		ln.Close()
		pageSrv := httptest.NewServer(mustHandler(t, web.ExampleConfig{PublicKey: testPublicKey, VaultURL: dead}))
		t.Cleanup(pageSrv.Close)

		ctx := newTab(t, browser)
		if err := chromedp.Do(ctx,
			chromedp.Navigate(pageSrv.URL+web.ExamplePath),
			chromedp.WaitEnabled(chromedp.ID("pay")),
		); err != nil {
			t.Fatalf("load page: %v", err)
		}
		type outcome struct {
			Status       int
			Object, Code string
			HasMessage   bool
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[outcome](`new Promise(function (resolve) {
  Kessai.setPublicKey('`+testPublicKey+`');
  Kessai.createToken('card', {name: 'A', number: '4242424242424242', expiration_month: 1, expiration_year: 2099},
    function (status, res) {
      resolve({Status: status, Object: res.object, Code: res.code, HasMessage: typeof res.message === 'string' && res.message !== ''});
    });
})`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("createToken: %v", err)
		}
		if diff := cmp.Diff(outcome{Status: 0, Object: "error", Code: "network_error", HasMessage: true}, got); diff != "" {
			t.Errorf("callback (-want +got):\n%s", diff)
		}

		if err := chromedp.Do(ctx,
			chromedp.Click(chromedp.ID("pay")),
			chromedp.WaitVisible(chromedp.ID("error")),
		); err != nil {
			t.Fatalf("click: %v", err)
		}
		msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("error")))
		if err != nil || !strings.Contains(msg, "could not be reached") {
			t.Errorf("error shown = %q (%v)", msg, err)
		}
		saveScreenshot(t, ctx, "checkout-network-error.png")
	})
}
