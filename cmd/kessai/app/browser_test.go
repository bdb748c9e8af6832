package app_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai/internal/browsertest"
	"github.com/kessai/kessai/internal/dbtest"
)

// testCard is the example page's prefilled card number, without spaces.
const testCard = "4242424242424242"

// TestBrowserExampleCheckout drives the example checkout of a running dev
// platform in Chromium as a person would: it types into the page's form and
// clicks its button, so the card goes from the page to the real vault
// through kessai.js. A good card becomes a token that the API then returns
// with the card's brand and last digits; a card the vault refuses shows the
// vault's message and creates no token.
func TestBrowserExampleCheckout(t *testing.T) {
	// The browser first, so that the test skips before the platform starts.
	browser := browsertest.NewBrowser(t)
	p := startPlatform(t, dbtest.SQLiteDSN(t))
	pk := p.creds.PublicKey

	t.Run("Token", func(t *testing.T) {
		ctx := openExample(t, browser, p)
		if err := chromedp.Do(ctx,
			retype("name", "Taro Yamada"),
			chromedp.Click(chromedp.ID("pay")),
			chromedp.WaitVisible(chromedp.ID("result")),
		); err != nil {
			browsertest.Screenshot(t, ctx, "example-token-failed.png")
			t.Fatalf("create token: %v", err)
		}

		shown := map[string]string{}
		for _, id := range []string{"token-id", "card-brand", "card-last-digits"} {
			s, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
			if err != nil {
				t.Fatalf("read #%s: %v", id, err)
			}
			shown[id] = s
		}
		for _, id := range []string{"number", "security-code"} {
			s, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID(id)))
			if err != nil {
				t.Fatalf("read #%s: %v", id, err)
			}
			shown[id] = s
		}
		id := shown["token-id"]
		if !regexp.MustCompile(`^tokn_test_[0-9a-z]+$`).MatchString(id) {
			t.Fatalf("the page shows token id %q", id)
		}
		wantShown := map[string]string{
			"token-id": id, "card-brand": "Visa", "card-last-digits": "4242",
			"number": "", "security-code": "",
		}
		if diff := cmp.Diff(wantShown, shown); diff != "" {
			t.Errorf("page shows (-want +got):\n%s", diff)
		}

		// The token is the vault's: the API knows it and its card.
		res := p.do("GET", "/tokens/"+id, pk, nil)
		if res.Status != 200 {
			t.Fatalf("GET /tokens/%s: %d %s", id, res.Status, res.Body)
		}
		c, _ := res.Object["card"].(map[string]any)
		got := map[string]any{
			"object": res.Object["object"], "id": res.Object["id"], "used": res.Object["used"],
			"card.brand": c["brand"], "card.last_digits": c["last_digits"], "card.name": c["name"],
			"card.expiration_month": c["expiration_month"], "card.expiration_year": c["expiration_year"],
		}
		want := map[string]any{
			"object": "token", "id": id, "used": false,
			"card.brand": "Visa", "card.last_digits": "4242", "card.name": "Taro Yamada",
			"card.expiration_month": float64(12), "card.expiration_year": float64(time.Now().Year() + 3),
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("GET /tokens/%s (-want +got):\n%s", id, diff)
		}

		if text := shownText(t, ctx); strings.Contains(strings.ReplaceAll(text, " ", ""), testCard) {
			t.Error("the page still shows the card number after tokenizing")
		}
		if strings.Contains(p.logs.String(), testCard) {
			t.Error("the platform's log holds the card number")
		}
		problems, err := browsertest.Problems(ctx)
		if err != nil || len(problems) > 0 {
			t.Errorf("page problems: %q (%v)", problems, err)
		}
		browsertest.Screenshot(t, ctx, "example-token.png")
	})

	// Each card is refused by the vault, not by the page: the page checks
	// nothing itself, so the message shown must be the vault's.
	refused := []struct {
		name  string
		typed map[string]string // input id → what the person types
		want  string            // part of the vault's message
	}{
		{"Expired", map[string]string{"expiration-month": "01", "expiration-year": "2020"}, "card expired"},
		{"BadCheckDigit", map[string]string{"number": "4242 4242 4242 4241"}, "check digit"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			before := countTokens(t, p)
			ctx := openExample(t, browser, p)
			var steps []chromedp.Action[chromedp.Void]
			for id, s := range tt.typed {
				steps = append(steps, retype(id, s))
			}
			steps = append(steps,
				chromedp.Click(chromedp.ID("pay")),
				chromedp.WaitVisible(chromedp.ID("error")),
			)
			if err := chromedp.Do(ctx, steps...); err != nil {
				browsertest.Screenshot(t, ctx, "example-"+strings.ToLower(tt.name)+"-failed.png")
				t.Fatalf("submit: %v", err)
			}
			if after := countTokens(t, p); after != before {
				t.Errorf("tokens rows: %d before, %d after; want no new token", before, after)
			}

			// What the vault says of the same card, asked directly.
			card := map[string]string{
				"number": "4242 4242 4242 4242", "expiration-month": "12",
				"expiration-year": strconv.Itoa(time.Now().Year() + 3),
			}
			for id, s := range tt.typed {
				card[id] = s
			}
			direct := p.do("POST", "/tokens", pk, cardForm(card["number"], card["expiration-month"], card["expiration-year"], "123"))
			vaultMsg, _ := direct.Object["message"].(string)
			if direct.Status != 400 || !strings.Contains(vaultMsg, tt.want) {
				t.Fatalf("POST /tokens: %d %s, want 400 with a message holding %q", direct.Status, direct.Body, tt.want)
			}

			msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("error")))
			if err != nil || msg != vaultMsg {
				t.Errorf("the page shows %q (%v), want the vault's message %q", msg, err, vaultMsg)
			}
			state, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.body.dataset.state"))
			if err != nil || state != "error" {
				t.Errorf("body data-state = %q (%v), want error", state, err)
			}
			hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("document.getElementById('result').hidden"))
			if err != nil || !hidden {
				t.Errorf("the token result is shown (hidden = %v, %v)", hidden, err)
			}

			// The only problem is the browser's note of the 400 answer.
			problems, err := browsertest.Problems(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, pr := range problems {
				if !strings.Contains(pr, "status of 400") || !strings.Contains(pr, "/tokens") {
					t.Errorf("page problem: %s", pr)
				}
			}
			browsertest.Screenshot(t, ctx, "example-"+strings.ToLower(tt.name)+".png")
		})
	}
}

// openExample opens the platform's example checkout in a new tab, waits
// until the page is ready, and checks that it is prefilled with the
// platform's public key.
func openExample(t *testing.T, browser context.Context, p *platform) context.Context {
	t.Helper()
	ctx := browsertest.NewTab(t, browser)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(p.BaseURL()+"/example/"),
		chromedp.WaitEnabled(chromedp.ID("pay")),
	); err != nil {
		t.Fatalf("load the example page: %v", err)
	}
	key, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("public-key")))
	if err != nil || key != p.creds.PublicKey {
		t.Errorf("public key field = %q (%v), want the platform's %q", key, err, p.creds.PublicKey)
	}
	return ctx
}

// retype replaces what the input with the id holds as a person does: click
// into it, select all of it with Ctrl+A and type over it. It fails when the
// input does not hold s afterwards.
func retype(id, s string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Click(chromedp.ID(id)),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.KeyEvent(s),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			got, err := chromedp.Value(chromedp.ID(id))(ctx, t)
			if err != nil {
				return err
			}
			if got != s {
				return fmt.Errorf("typed %q into #%s, and it holds %q", s, id, got)
			}
			return nil
		}),
	)
}

// shownText returns what the page shows: its visible text and the values
// of its inputs.
func shownText(t *testing.T, ctx context.Context) string {
	t.Helper()
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`document.body.innerText + ' ' + Array.from(document.querySelectorAll('input'), function (e) { return e.value; }).join(' ')`))
	if err != nil {
		t.Fatalf("read the page: %v", err)
	}
	return text
}

// countTokens returns the number of rows in the gateway's tokens table.
func countTokens(t *testing.T, p *platform) int {
	t.Helper()
	var n int
	if err := p.DB.QueryRowContext(t.Context(), "SELECT count(*) FROM tokens").Scan(&n); err != nil {
		t.Fatalf("count tokens: %v", err)
	}
	return n
}
