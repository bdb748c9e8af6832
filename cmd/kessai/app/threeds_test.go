package app_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/kessai/kessai"
	"github.com/kessai/kessai/cmd/kessai/app"
	"github.com/kessai/kessai/devpki"
	"github.com/kessai/kessai/internal/browsertest"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/issuersim"
	"github.com/kessai/kessai/threeds"
)

// startThreeDSPlatform starts a dev platform like startPlatform, with the
// 3-D Secure timers of mod.
func startThreeDSPlatform(t testing.TB, dsn string, mod func(*app.ThreeDSConfig)) *platform {
	t.Helper()
	dir := t.TempDir()
	cfg := &app.Config{
		Dev: true, DataDir: dir, Database: dsn, KEK: "file:" + dir + "/kek.key",
		HTTP: "127.0.0.1:0", HTTPS: "127.0.0.1:0", LogFormat: "json",
		Issuer: app.IssuerConfig{Run: true, Listen: "127.0.0.1:0", Database: "sqlite:" + dir + "/issuer.db"},
	}
	cfg.ThreeDS.SweepInterval = app.Duration(200 * time.Millisecond)
	if mod != nil {
		mod(&cfg.ThreeDS)
	}
	logs := &syncBuffer{}
	a, err := app.Start(context.Background(), cfg, app.NewLogger(logs, "json", -8))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return &platform{App: a, t: t, dir: dir, logs: logs, creds: a.Credentials()}
}

// acsCard returns the ACS's test card of prefix and three-digit code (see
// threeds/acs TestCards), with its Luhn check digit.
func acsCard(prefix, code string) string {
	s := prefix + code
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-i)%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return s + strconv.Itoa((10-sum%10)%10)
}

var (
	cardFrictionless = acsCard("400000000000", "100")
	cardChallenge    = acsCard("400000000000", "200")
	cardRejected     = acsCard("400000000000", "400")
)

// shop is a merchant's site: the return page, and a page that runs
// Kessai.authorize in a popup and shows the result.
type shop struct {
	*httptest.Server
}

func newShop(t *testing.T, gateway string) *shop {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /return", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>Shop</title><h1 id="returned">Back at the shop</h1>`)
	})
	mux.HandleFunc("GET /pay", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>Pay</title><script src="%s/kessai.js"></script><script src="/pay.js" defer></script>
<button id="pay" data-uri="%s" data-timeout="%s">Pay</button><pre id="result"></pre>`, gateway, template(r.URL.Query().Get("uri")), template(r.URL.Query().Get("timeout")))
	})
	mux.HandleFunc("GET /pay.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, `document.getElementById('pay').addEventListener('click', function (e) {
  var timeout = Number(e.target.getAttribute('data-timeout')) || 60000;
  Kessai.authorize(e.target.getAttribute('data-uri'), {mode: 'popup', timeout: timeout}).then(function (r) {
    document.getElementById('result').textContent = JSON.stringify(r);
  }, function (err) { document.getElementById('result').textContent = 'error ' + JSON.stringify(err); });
});`)
	})
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return &shop{s}
}

// template escapes s for an HTML attribute.
func template(s string) string {
	return strings.NewReplacer(`&`, "&amp;", `"`, "&quot;", `<`, "&lt;").Replace(s)
}

// charge3DS creates a token of number and a charge of it with return_uri
// (and authentication=3DS unless byPolicy), and returns the charge.
func charge3DS(t testing.TB, p *platform, number string, amount int64, returnURI string, byPolicy bool) map[string]any {
	t.Helper()
	res := p.do("POST", "/tokens", p.creds.PublicKey, cardForm(number, "12", "2031", "123"))
	if res.Status != 200 {
		t.Fatalf("token: %d %s", res.Status, res.Body)
	}
	form := url.Values{"amount": {fmt.Sprint(amount)}, "currency": {"jpy"}, "card": {res.Object["id"].(string)}, "return_uri": {returnURI}}
	if !byPolicy {
		form.Set("authentication", "3DS")
	}
	res = p.do("POST", "/charges", p.creds.SecretKey, form)
	if res.Status != 200 {
		t.Fatalf("charge: %d %s", res.Status, res.Body)
	}
	ch := res.Object
	uri, _ := ch["authorize_uri"].(string)
	if ch["status"] != "pending" || ch["authorized"] != false || !strings.Contains(uri, "/payments/paym_test_") || ch["authentication"] != "3DS" {
		t.Fatalf("3-D Secure charge: status %v authorized %v authorize_uri %v authentication %v", ch["status"], ch["authorized"], ch["authorize_uri"], ch["authentication"])
	}
	return ch
}

// outcome is what the platform shows of a charge after its authentication.
type outcome struct {
	Status, FailureCode, AuthenticatedBy, AuthStatus, ECI string
	Events                                                []string
	Holds                                                 int
}

// settled waits until the charge is no longer pending (or pending with an
// authorization when it is not captured) and returns what shows of it.
func settled(t testing.TB, p *platform, id string) outcome {
	t.Helper()
	var ch map[string]any
	for deadline := time.Now().Add(20 * time.Second); ; {
		ch = p.do("GET", "/charges/"+id, p.creds.SecretKey, nil).Object
		if ch["status"] != "pending" || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	o := outcome{Status: fmt.Sprint(ch["status"])}
	if s, ok := ch["failure_code"].(string); ok {
		o.FailureCode = s
	}
	if s, ok := ch["authenticated_by"].(string); ok {
		o.AuthenticatedBy = s
	}
	if tds, ok := ch["three_d_secure"].(map[string]any); ok {
		o.AuthStatus, _ = tds["status"].(string)
		o.ECI, _ = tds["eci"].(string)
	}
	evs := p.do("GET", "/charges/"+id+"/events?order=chronological", p.creds.SecretKey, nil)
	for _, e := range evs.Object["data"].([]any) {
		o.Events = append(o.Events, e.(map[string]any)["key"].(string))
	}
	slices.Sort(o.Events)
	es, err := p.Issuer.Ledger(context.Background(), issuersim.LedgerQuery{Reference: id})
	if err != nil {
		t.Fatal(err)
	}
	o.Holds = len(es)
	return o
}

// waitURL waits until the tab shows a page whose URL starts with prefix.
func waitURL(ctx context.Context, prefix string, within time.Duration) (string, error) {
	deadline := time.Now().Add(within)
	for {
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err == nil && strings.HasPrefix(loc, prefix) {
			return loc, nil
		}
		if time.Now().After(deadline) {
			return loc, fmt.Errorf("still at %s after %v (err %v)", loc, within, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// inChallenge runs actions on the challenge iframe's document (the ACS is
// on the same site as the gateway, 127.0.0.1, so the iframe shares the
// page's process and FromNode reaches into it).
func inChallenge(ctx context.Context, actions func(frame *chromedp.Node) []chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(ctx, 45*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("threeds-challenge"))); err != nil {
		return err
	}
	frames, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.ID("threeds-challenge")))
	if err != nil {
		return err
	}
	return chromedp.Do(ctx, actions(frames[0])...)
}

// waitInChallenge waits until sel shows in the challenge iframe (its next
// page loaded).
func waitInChallenge(sel string) func(f *chromedp.Node) []chromedp.Action[chromedp.Void] {
	return func(f *chromedp.Node) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{chromedp.WaitVisible(chromedp.CSS(sel), chromedp.FromNode(f))}
	}
}

// enterCode types code into the ACS's challenge page and submits it.
func enterCode(code string) func(*chromedp.Node) []chromedp.Action[chromedp.Void] {
	return func(f *chromedp.Node) []chromedp.Action[chromedp.Void] {
		otp := chromedp.CSS(`input[name="otp"]`)
		return []chromedp.Action[chromedp.Void]{
			chromedp.WaitVisible(otp, chromedp.FromNode(f)),
			chromedp.SetValue(otp, code, chromedp.FromNode(f)),
			chromedp.Submit(otp, chromedp.FromNode(f)),
		}
	}
}

// clickIn clicks the element of sel in the challenge iframe.
func clickIn(sel string) func(*chromedp.Node) []chromedp.Action[chromedp.Void] {
	return func(f *chromedp.Node) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{
			chromedp.WaitVisible(chromedp.CSS(sel), chromedp.FromNode(f)),
			chromedp.Click(chromedp.CSS(sel), chromedp.FromNode(f)),
		}
	}
}

func TestBrowserThreeDS(t *testing.T) {
	// A browser per subtest: a browser lives at most two minutes.
	newTab := func(t *testing.T, extra ...chromedp.ExecAllocatorOption) context.Context {
		browser := browsertest.NewBrowser(t, append(extra, chromedp.Flag("ignore-certificate-errors", true))...)
		return browsertest.NewTab(t, browser)
	}
	browsertest.NewBrowser(t) // skips the test before the platform starts when there is no Chromium
	p := startThreeDSPlatform(t, dbtest.SQLiteDSN(t), func(c *app.ThreeDSConfig) {
		c.ChallengeTimeout = app.Duration(3 * time.Second)
	})
	if p.ThreeDS == nil {
		t.Fatal("3-D Secure does not run in dev mode")
	}
	s := newShop(t, p.HTTPSURL())
	ret := s.URL + "/return"
	success := outcome{Status: "successful", AuthenticatedBy: "3DS", AuthStatus: "authenticated", ECI: "05",
		Events: []string{"charge.complete", "charge.create"}, Holds: 1}

	check := func(t *testing.T, id string, want outcome) {
		t.Helper()
		got := settled(t, p, id)
		if got.Holds > 0 {
			got.Holds = 1
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("charge %s:\n got %+v\nwant %+v", id, got, want)
		}
	}
	noProblems := func(t *testing.T, ctx context.Context) {
		t.Helper()
		pr, err := browsertest.Problems(ctx)
		if err != nil || len(pr) > 0 {
			t.Errorf("page problems: %v %v", pr, err)
		}
	}

	t.Run("Frictionless", func(t *testing.T) {
		ch := charge3DS(t, p, cardFrictionless, 5000, ret, false)
		ctx := newTab(t)
		if err := chromedp.Do(ctx, chromedp.Navigate(ch["authorize_uri"].(string))); err != nil {
			t.Fatal(err)
		}
		if _, err := waitURL(ctx, ret, 20*time.Second); err != nil {
			browsertest.Screenshot(t, ctx, "frictionless-failed.png")
			t.Fatal(err)
		}
		check(t, ch["id"].(string), success)
		noProblems(t, ctx)
	})

	t.Run("ChallengeByPolicy", func(t *testing.T) {
		// A JPY merchant's charge with a return_uri is authenticated
		// without being asked to.
		ch := charge3DS(t, p, cardChallenge, 5000, ret, true)
		ctx := newTab(t)
		if err := chromedp.Do(ctx, chromedp.Navigate(ch["authorize_uri"].(string))); err != nil {
			t.Fatal(err)
		}
		if err := inChallenge(ctx, waitInChallenge(`input[name="otp"]`)); err != nil {
			browsertest.Screenshot(t, ctx, "challenge-failed.png")
			t.Fatal(err)
		}
		browsertest.Screenshot(t, ctx, "challenge.png")
		if err := inChallenge(ctx, enterCode("123456")); err != nil {
			t.Fatal(err)
		}
		if _, err := waitURL(ctx, ret, 20*time.Second); err != nil {
			browsertest.Screenshot(t, ctx, "challenge-return-failed.png")
			t.Fatal(err)
		}
		check(t, ch["id"].(string), success)
		noProblems(t, ctx)
	})

	t.Run("WrongThenRightCode", func(t *testing.T) {
		ch := charge3DS(t, p, cardChallenge, 5000, ret, false)
		ctx := newTab(t)
		if err := chromedp.Do(ctx, chromedp.Navigate(ch["authorize_uri"].(string))); err != nil {
			t.Fatal(err)
		}
		if err := inChallenge(ctx, enterCode("000000")); err != nil {
			t.Fatal(err)
		}
		// Still in the challenge: the ACS asks again, with a try less.
		for deadline := time.Now().Add(30 * time.Second); ; {
			var text string
			err := inChallenge(ctx, func(f *chromedp.Node) []chromedp.Action[chromedp.Void] {
				return []chromedp.Action[chromedp.Void]{chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
					var err error
					text, err = chromedp.Run(ctx, chromedp.Text(chromedp.ID("tries-left"), chromedp.FromNode(f)))
					return err
				})}
			})
			if err == nil && text == "2" {
				break
			}
			if time.Now().After(deadline) {
				browsertest.Screenshot(t, ctx, "wrong-code-failed.png")
				t.Fatalf("after a wrong code the challenge shows %q (%v)", text, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
		if err := inChallenge(ctx, enterCode("123456")); err != nil {
			browsertest.Screenshot(t, ctx, "second-code-failed.png")
			t.Fatal(err)
		}
		if _, err := waitURL(ctx, ret, 20*time.Second); err != nil {
			t.Fatal(err)
		}
		check(t, ch["id"].(string), success)
	})

	t.Run("Cancel", func(t *testing.T) {
		ch := charge3DS(t, p, cardChallenge, 5000, ret, false)
		ctx := newTab(t)
		if err := chromedp.Do(ctx, chromedp.Navigate(ch["authorize_uri"].(string))); err != nil {
			t.Fatal(err)
		}
		err := inChallenge(ctx, clickIn(`button[name="cancel"], input[name="cancel"], #cancel`))
		if err != nil {
			browsertest.Screenshot(t, ctx, "cancel-failed.png")
			t.Fatal(err)
		}
		if _, err := waitURL(ctx, ret, 20*time.Second); err != nil {
			t.Fatal(err)
		}
		check(t, ch["id"].(string), outcome{Status: "failed", FailureCode: "payment_rejected", AuthStatus: "failed", ECI: "07",
			Events: []string{"charge.complete", "charge.create"}})
	})

	t.Run("Rejected", func(t *testing.T) {
		ch := charge3DS(t, p, cardRejected, 5000, ret, false)
		ctx := newTab(t)
		if err := chromedp.Do(ctx, chromedp.Navigate(ch["authorize_uri"].(string))); err != nil {
			t.Fatal(err)
		}
		if _, err := waitURL(ctx, ret, 20*time.Second); err != nil {
			t.Fatal(err)
		}
		check(t, ch["id"].(string), outcome{Status: "failed", FailureCode: "payment_rejected", AuthStatus: "rejected", ECI: "07",
			Events: []string{"charge.complete", "charge.create"}})
	})

	t.Run("Abandoned", func(t *testing.T) {
		ch := charge3DS(t, p, cardChallenge, 5000, ret, false)
		ctx := newTab(t)
		if err := chromedp.Do(ctx, chromedp.Navigate(ch["authorize_uri"].(string))); err != nil {
			t.Fatal(err)
		}
		if err := inChallenge(ctx, waitInChallenge(`input[name="otp"]`)); err != nil {
			t.Fatal(err)
		}
		// Nobody answers: the challenge timer (3 s here) runs out, and
		// the payment fails without an authorization, whichever of the
		// ACS (RReq N, challengeCancel 04) and the sweeper is first.
		got := settled(t, p, ch["id"].(string))
		if got.Status != "failed" || got.Holds != 0 || got.AuthenticatedBy != "" ||
			!(got.FailureCode == "timeout" && got.AuthStatus == "timeout" || got.FailureCode == "payment_rejected" && got.AuthStatus == "failed") ||
			fmt.Sprint(got.Events) != "[charge.complete charge.create]" {
			t.Errorf("abandoned challenge: %+v", got)
		}
	})

	t.Run("Popup", func(t *testing.T) {
		ch := charge3DS(t, p, cardChallenge, 5000, ret, false)
		ctx := newTab(t)
		if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/pay?uri="+url.QueryEscape(ch["authorize_uri"].(string))),
			chromedp.WaitVisible(chromedp.ID("pay"))); err != nil {
			t.Fatal(err)
		}
		popups := chromedp.WaitNewTarget(ctx, func(i *target.Info) bool { return strings.Contains(i.URL, "/payments/") })
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("pay"))); err != nil {
			t.Fatal(err)
		}
		var popupID target.ID
		select {
		case popupID = <-popups:
		case <-time.After(10 * time.Second):
			t.Fatal("no popup opened")
		}
		pctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(popupID))
		defer cancel()
		if err := inChallenge(pctx, enterCode("123456")); err != nil {
			browsertest.Screenshot(t, pctx, "popup-failed.png")
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#result:not(:empty)`))); err != nil {
			t.Fatal(err)
		}
		result, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("result")))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`"object":"authorization_result"`, `"charge":"` + ch["id"].(string) + `"`, `"status":"successful"`, `"authenticated":true`} {
			if !strings.Contains(result, want) {
				t.Errorf("the shop got %s, want it to hold %s", result, want)
			}
		}
		check(t, ch["id"].(string), success)
	})

	t.Run("PopupTimeout", func(t *testing.T) {
		// The customer leaves the popup alone: after the timeout the
		// script closes it and asks the gateway, which says the charge is
		// still pending and the authentication not final.
		ch := charge3DS(t, p, cardChallenge, 5000, ret, false)
		ctx := newTab(t)
		if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/pay?timeout=3000&uri="+url.QueryEscape(ch["authorize_uri"].(string))),
			chromedp.WaitVisible(chromedp.ID("pay")), chromedp.Click(chromedp.ID("pay")),
			chromedp.WaitVisible(chromedp.CSS(`#result:not(:empty)`))); err != nil {
			t.Fatal(err)
		}
		result, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("result")))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`"object":"authorization_result"`, `"charge":"` + ch["id"].(string) + `"`, `"status":"pending"`, `"final":false`} {
			if !strings.Contains(result, want) {
				t.Errorf("the shop got %s, want it to hold %s", result, want)
			}
		}
	})

	t.Run("NoJavaScript", func(t *testing.T) {
		ch := charge3DS(t, p, cardChallenge, 5000, ret, false)
		ctx := newTab(t, chromedp.Flag("blink-settings", "scriptEnabled=false"))
		// Each step gets its own time, so that a failure leaves time for
		// the screenshot.
		step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
			t.Helper()
			sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			defer cancel()
			if err := chromedp.Do(sctx, actions...); err != nil {
				browsertest.Screenshot(t, ctx, "nojs-"+name+".png")
				t.Fatalf("%s: %v", name, err)
			}
		}
		// chromedp cannot query inside an iframe whose scripts are off, so
		// the challenge is done as a keyboard user does it: back from the
		// "Continue" button into the iframe (Cancel, Submit, the code
		// field), type the code and Enter; then Tab to the ACS's button
		// that posts the CRes, and to the link out of the iframe.
		step("continue", chromedp.Navigate(ch["authorize_uri"].(string)),
			chromedp.WaitReady(chromedp.ID("continue")), chromedp.Click(chromedp.ID("continue")))
		step("creq", chromedp.WaitReady(chromedp.ID("creq-submit")), chromedp.Click(chromedp.ID("creq-submit")))
		time.Sleep(time.Second)
		shiftTab := chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift))
		step("code", shiftTab, shiftTab, shiftTab, chromedp.KeyEvent("123456"), chromedp.KeyEvent(kb.Enter))
		browsertest.Screenshot(t, ctx, "nojs-after-code.png")
		time.Sleep(time.Second)
		step("cres", chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Enter))
		time.Sleep(time.Second)
		browsertest.Screenshot(t, ctx, "nojs-after-cres.png")
		step("next", chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Enter))
		if _, err := waitURL(ctx, ret, 20*time.Second); err != nil {
			browsertest.Screenshot(t, ctx, "nojs-return-failed.png")
			t.Fatal(err)
		}
		check(t, ch["id"].(string), success)
	})
}

// TestThreeDSWithoutBrowser drives the authorize_uri pages with plain HTTP
// form posts, as a browser without JavaScript does, through the real DS and
// ACS: a frictionless card ends successful with an issuer hold and ECI 05;
// a rejected one fails payment_rejected with no authorization; repeating a
// finished step changes nothing.
func TestThreeDSWithoutBrowser(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		p := startThreeDSPlatform(t, dsn, nil)
		client := &http.Client{
			Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: p.CA.CertPool()}},
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if !strings.HasPrefix(req.URL.String(), p.HTTPSURL()) {
					return http.ErrUseLastResponse
				}
				return nil
			},
		}
		get := func(u string) (int, string) {
			t.Helper()
			res, err := client.Get(u)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(b)
		}
		post := func(u string, form url.Values) (int, string) {
			t.Helper()
			res, err := client.PostForm(u, form)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(b)
		}
		ret := "http://shop.example/return"
		for _, tc := range []struct {
			name, card string
			want       outcome
		}{
			{"Frictionless", cardFrictionless, outcome{Status: "successful", AuthenticatedBy: "3DS", AuthStatus: "authenticated", ECI: "05",
				Events: []string{"charge.complete", "charge.create"}, Holds: 1}},
			{"Attempted", acsCard("400000000000", "600"), outcome{Status: "successful", AuthenticatedBy: "3DS", AuthStatus: "attempted", ECI: "06",
				Events: []string{"charge.complete", "charge.create"}, Holds: 1}},
			{"Rejected", cardRejected, outcome{Status: "failed", FailureCode: "payment_rejected", AuthStatus: "rejected", ECI: "07",
				Events: []string{"charge.complete", "charge.create"}}},
			// The ACS never answers: the DS's Erro 402 (or the 3DS
			// Server's own timeout) fails the charge as a processing
			// failure, not as the card's.
			{"ACSSilent", acsCard("400000000000", "800"), outcome{Status: "failed", FailureCode: "failed_processing", AuthStatus: "error",
				Events: []string{"charge.complete", "charge.create"}}},
			{"OmiseEnrolmentFails", "4111111111150002", outcome{Status: "failed", FailureCode: "payment_rejected", AuthStatus: "failed", ECI: "07",
				Events: []string{"charge.complete", "charge.create"}}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ch := charge3DS(t, p, tc.card, 5000, ret, false)
				uri := ch["authorize_uri"].(string)
				code, body := get(uri)
				if code != 200 || !strings.Contains(body, `id="browser-form"`) {
					t.Fatalf("authorize page: %d %s", code, body)
				}
				code, body = post(uri, url.Values{"browser_javascript_enabled": {"false"}})
				if code != 200 || !strings.Contains(body, `http-equiv="refresh"`) || !strings.Contains(body, ret) {
					t.Fatalf("after the AReq: %d %s", code, body)
				}
				got := settled(t, p, ch["id"].(string))
				if got.Holds > 0 {
					got.Holds = 1
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Errorf("got  %+v\nwant %+v", got, tc.want)
				}
				// A double submit and a refresh show the same end.
				if code, body = post(uri, url.Values{"browser_javascript_enabled": {"false"}}); code != 200 || !strings.Contains(body, ret) {
					t.Errorf("second submit: %d %s", code, body)
				}
				if again := settled(t, p, ch["id"].(string)); fmt.Sprint(again.Events) != fmt.Sprint(tc.want.Events) {
					t.Errorf("events after a second submit: %v", again.Events)
				}
			})
		}
		if code, _ := get(p.HTTPSURL() + "/payments/paym_test_nothing/authorize"); code != 404 {
			t.Errorf("unknown payment: %d, want 404", code)
		}
	})
}

// TestThreeDSResults sends RReqs to the 3DS Server's results endpoint as
// the DS would (mutual TLS with a dev CA certificate): the RReq settles the
// charge; a repeated RReq gets the same RRes and changes nothing; a CRes
// before the RReq makes the page wait; an RReq for a frictionless or an
// unknown transaction gets an Erro; no client certificate, no access.
func TestThreeDSResults(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		p := startThreeDSPlatform(t, dsn, nil)
		ctx := context.Background()
		leaf, err := p.CA.ClientCert("test-ds", "kessai-ds")
		if err != nil {
			t.Fatal(err)
		}
		dsClient := &http.Client{Transport: &http.Transport{TLSClientConfig: devpki.ClientTLSConfig(p.CA.CertPool(), leaf.Certificate)}}
		browser := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: p.CA.CertPool()}}}
		results := p.ThreeDSURL() + "/3ds/results"
		page := func(method, u string, form url.Values) string {
			t.Helper()
			var res *http.Response
			var err error
			if method == "GET" {
				res, err = browser.Get(u)
			} else {
				res, err = browser.PostForm(u, form)
			}
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return string(b)
		}
		// challenged returns a charge whose browser holds the CReq, and
		// its authentication.
		challenged := func() (map[string]any, *kessai.Authentication) {
			t.Helper()
			ch := charge3DS(t, p, cardChallenge, 5000, "http://shop.example/return", false)
			uri := ch["authorize_uri"].(string)
			page("GET", uri, nil)
			if body := page("POST", uri, url.Values{"browser_javascript_enabled": {"false"}}); !strings.Contains(body, `name="creq"`) {
				t.Fatalf("no challenge page: %s", body)
			}
			id := strings.TrimSuffix(uri[strings.Index(uri, "/payments/")+len("/payments/"):], "/authorize")
			a, err := p.Payments.FindAuthentication(ctx, id)
			if err != nil || a.State != kessai.AuthInChallenge {
				t.Fatalf("authentication %+v %v", a, err)
			}
			return ch, a
		}
		rreq := func(a *kessai.Authentication, status string) *threeds.RReq {
			return &threeds.RReq{
				Header:          threeds.Header{MessageVersion: a.MessageVersion, ThreeDSServerTransID: a.ServerTransID, DSTransID: a.DSTransID, ACSTransID: a.ACSTransID},
				MessageCategory: "01", TransStatus: status, TransStatusReason: "01", InteractionCounter: "01", AuthenticationType: "02", ECI: "07",
			}
		}

		ch, a := challenged()
		for i := range 2 {
			var rres threeds.RRes
			if err := threeds.Post(ctx, dsClient, results, rreq(a, "N"), &rres); err != nil || rres.ResultsStatus != "01" {
				t.Fatalf("RReq %d: %+v %v", i+1, rres, err)
			}
		}
		got := settled(t, p, ch["id"].(string))
		want := outcome{Status: "failed", FailureCode: "payment_rejected", AuthStatus: "failed", ECI: "07", Events: []string{"charge.complete", "charge.create"}}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("after two RReqs: %+v, want %+v", got, want)
		}
		msgs, err := p.DB.AuthenticationMessages(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		for _, m := range msgs {
			types = append(types, m.Type)
			if strings.Contains(string(m.Body), cardChallenge) {
				t.Errorf("stored %s holds the card number", m.Type)
			}
		}
		if fmt.Sprint(types) != "[AReq ARes CReq RReq RRes]" {
			t.Errorf("stored messages %v", types)
		}

		// A CRes before its RReq: the page waits for the result.
		ch, a = challenged()
		cres, _ := threeds.EncodeBrowser(&threeds.CRes{Header: threeds.Header{MessageVersion: a.MessageVersion,
			ThreeDSServerTransID: a.ServerTransID, ACSTransID: a.ACSTransID}, TransStatus: "Y"})
		notify := p.HTTPSURL() + "/payments/" + a.ID + "/notify"
		if body := page("POST", notify, url.Values{"cres": {cres}}); !strings.Contains(body, `id="next"`) {
			t.Errorf("notification page: %s", body)
		}
		if body := page("GET", ch["authorize_uri"].(string), nil); !strings.Contains(body, "Finishing") {
			t.Errorf("page before the RReq: %s", body)
		}
		var rres threeds.RRes
		if err := threeds.Post(ctx, dsClient, results, rreq(a, "R"), &rres); err != nil {
			t.Fatal(err)
		}
		if got := settled(t, p, ch["id"].(string)); got.Status != "failed" || got.AuthStatus != "rejected" || got.Holds != 0 {
			t.Errorf("CRes then RReq R: %+v", got)
		}

		// An RReq for a frictionless transaction, for an unknown one.
		fr := charge3DS(t, p, cardFrictionless, 5000, "http://shop.example/return", false)
		page("POST", fr["authorize_uri"].(string), url.Values{})
		fa, _, err := p.DB.FindChargeAuthentication(ctx, fr["id"].(string))
		if err != nil {
			t.Fatal(err)
		}
		err = threeds.Post(ctx, dsClient, results, rreq(fa, "N"), &rres)
		if threeds.ErrorCode(err) != threeds.CodeTransactionDataInvalid {
			t.Errorf("RReq for a frictionless transaction: %v", err)
		}
		unknown := rreq(fa, "N")
		unknown.ThreeDSServerTransID = threeds.NewTransID()
		if err := threeds.Post(ctx, dsClient, results, unknown, &rres); threeds.ErrorCode(err) != threeds.CodeTransIDNotRecognised {
			t.Errorf("RReq for an unknown transaction: %v", err)
		}
		if got := settled(t, p, fr["id"].(string)); got.Status != "successful" || got.Holds == 0 {
			t.Errorf("the frictionless charge after a stray RReq: %+v", got)
		}
		res, err := browser.Post(results, threeds.ContentType, strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("results without a client certificate: %d", res.StatusCode)
		}
	})
}
