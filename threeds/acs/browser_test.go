package acs_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/kessai/kessai/internal/browsertest"
	"github.com/kessai/kessai/threeds"
)

// TestChallengeInChromium runs the challenge in headless chromium: with
// JavaScript (in an iframe of the requestor's page, so the CSP's
// frame-ancestors and the nonce of the auto-submitting script are
// exercised) and without it (top level, the noscript button). Each time
// the cardholder types the test code and the final CRes Y reaches the
// notificationURL, with no CSP violation or console error on the way.
func TestChallengeInChromium(t *testing.T) {
	for _, tc := range []struct {
		name  string
		js    bool
		frame bool
	}{{"javascript in an iframe", true, true}, {"no javascript", false, false}} {
		t.Run(tc.name, func(t *testing.T) {
			opts := []chromedp.ExecAllocatorOption{chromedp.Flag("ignore-certificate-errors", true)}
			if !tc.js {
				opts = append(opts, chromedp.Flag("blink-settings", "scriptEnabled=false"))
			}
			browser := browsertest.NewBrowser(t, opts...)
			tab := browsertest.NewTab(t, browser)
			e := newEnv(t, nil)
			ares, err := e.server.Authenticate(context.Background(), e.areq("4000000000002008", "1000"))
			if err != nil || ares.TransStatus != "C" {
				t.Fatalf("%v %+v", err, ares)
			}
			creq, _ := threeds.EncodeBrowser(&threeds.CReq{Header: threeds.Header{MessageVersion: "2.2.0",
				ThreeDSServerTransID: ares.ThreeDSServerTransID, ACSTransID: ares.ACSTransID}, ChallengeWindowSize: "03"})
			q := url.Values{"acs": {ares.ACSURL}, "creq": {creq}}
			if tc.frame {
				q.Set("frame", "1")
			}
			start := strings.TrimSuffix(e.notifURL, "/3ds/notify") + "/start?" + q.Encode()
			ctx, cancel := context.WithTimeout(tab, 60*time.Second)
			defer cancel()
			if err := chromedp.Do(ctx, chromedp.Navigate(start), chromedp.Click(chromedp.ID("go"))); err != nil {
				t.Fatal(err)
			}
			// The challenge page: in the iframe, or the whole tab.
			var in []chromedp.QueryOption
			if tc.frame {
				deadline := time.Now().Add(30 * time.Second)
				for {
					iframes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.ID("challenge")))
					if err != nil {
						t.Fatal(err)
					}
					cctx, ccancel := context.WithTimeout(ctx, 2*time.Second)
					found, err := chromedp.Run(cctx, chromedp.Nodes(chromedp.ID("otp"), chromedp.FromNode(iframes[0])))
					ccancel()
					if err == nil && len(found) > 0 {
						in = []chromedp.QueryOption{chromedp.FromNode(iframes[0])}
						break
					}
					if time.Now().After(deadline) {
						browsertest.Screenshot(t, ctx, "acs-iframe.png")
						t.Fatal("the challenge did not load in the iframe")
					}
				}
			}
			hint, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("test-mode"), in...))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(hint, "123456") {
				t.Fatalf("test-mode hint %q", hint)
			}
			if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("otp"), "123456", in...), chromedp.Click(chromedp.ID("submit"), in...)); err != nil {
				t.Fatal(err)
			}
			if !tc.js {
				// The final page cannot submit itself: the cardholder clicks Continue.
				if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("form#post button"))); err != nil {
					browsertest.Screenshot(t, ctx, "acs-nojs.png")
					t.Fatal(err)
				}
			}
			var form url.Values
			select {
			case form = <-e.posted:
			case <-ctx.Done():
				t.Fatal("the final CRes never reached the notificationURL")
			}
			cres, err := threeds.DecodeBrowserCRes(form.Get("cres"))
			if err != nil || cres.TransStatus != "Y" || form.Get("threeDSSessionData") != "c2Vzc2lvbg" {
				t.Fatalf("posted %v: %+v %v", form, cres, err)
			}
			if r := e.received(); len(r) != 1 || r[0].TransStatus != "Y" {
				t.Fatalf("RReqs %+v", r)
			}
			if tc.js {
				problems, err := browsertest.Problems(tab)
				if err != nil {
					t.Fatal(err)
				}
				if len(problems) > 0 {
					t.Fatalf("browser problems: %q", problems)
				}
			}
		})
	}
}
