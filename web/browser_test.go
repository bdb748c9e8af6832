package web_test

import (
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai/internal/browsertest"
	"github.com/kessai/kessai/web"
)

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

func TestBrowserCheckout(t *testing.T) {
	browser := browsertest.NewBrowser(t)
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

			ctx := browsertest.NewTab(t, browser)
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
				browsertest.Screenshot(t, ctx, "checkout-failed.png")
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
			problems, err := browsertest.Problems(ctx)
			if err != nil || len(problems) > 0 {
				t.Errorf("page problems: %q (%v)", problems, err)
			}
			browsertest.Screenshot(t, ctx, "checkout-"+strings.ToLower(tt.name)+".png")

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

		ctx := browsertest.NewTab(t, browser)
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
		browsertest.Screenshot(t, ctx, "checkout-network-error.png")
	})
}
