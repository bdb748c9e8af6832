package browsertest

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// problemsScript runs before any script of every page a tab loads and
// records in window.__problems what goes wrong there: CSP violations,
// uncaught errors and unhandled promise rejections.
const problemsScript = `window.__problems = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__problems.push('CSP ' + e.violatedDirective + ' ' + e.blockedURI);
});
window.addEventListener('error', function (e) { window.__problems.push('error ' + e.message); });
window.addEventListener('unhandledrejection', function (e) { window.__problems.push('rejection ' + e.reason); });`

// syncPrefix begins the marker that [Problems] logs with console.debug and
// then waits for: once it has arrived, so has every message sent before it.
const syncPrefix = "browsertest: sync "

// syncTimeout bounds that wait.
const syncTimeout = 5 * time.Second

// tabKey is the context key of a tab's console record.
type tabKey struct{}

// consoleRecord holds a tab's console messages, in order.
type consoleRecord struct {
	mu       sync.Mutex
	messages []chromedp.ConsoleMessage
	marks    atomic.Int64
}

func (c *consoleRecord) add(m chromedp.ConsoleMessage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.messages = append(c.messages, m)
}

// sawText reports whether a message with the text has arrived.
func (c *consoleRecord) sawText(text string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.messages) - 1; i >= 0; i-- {
		if c.messages[i].Text == text {
			return true
		}
	}
	return false
}

// errors returns the console errors and uncaught exceptions so far.
func (c *consoleRecord) errors() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, m := range c.messages {
		if m.Type != chromedp.ConsoleError && !m.IsException() || isFaviconMiss(m) {
			continue
		}
		s := "console " + m.String()
		if m.URL != "" {
			s += " (" + m.URL + ")"
		}
		out = append(out, s)
	}
	return out
}

// isFaviconMiss reports whether m is the browser's note that /favicon.ico
// is missing: the browser asks for it by itself for a page that names no
// icon, so it is no fault of the page.
func isFaviconMiss(m chromedp.ConsoleMessage) bool {
	if m.Source != "network" {
		return false
	}
	u, err := url.Parse(m.URL)
	return err == nil && u.Path == "/favicon.ico"
}

// NewTab opens a tab in the browser of [NewBrowser] and returns its
// chromedp context; the tab closes when t ends. From the first script of
// every page it loads on, the tab records what goes wrong, for [Problems]:
// CSP violations, uncaught errors and unhandled promise rejections on the
// page, and every error on the console (console.error calls, and the
// browser's own errors such as a resource that failed to load, except for
// a missing /favicon.ico, which the browser asks for by itself).
func NewTab(t testing.TB, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: problemsScript,
		})
		return err
	}))
	if err != nil {
		t.Fatalf("set up tab: %v", err)
	}
	rec := &consoleRecord{}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			rec.add(m)
		}
	}()
	return context.WithValue(ctx, tabKey{}, rec)
}

// Problems returns what has gone wrong in the tab of [NewTab]: the CSP
// violations, uncaught errors and unhandled rejections of the page it
// shows now, then the console errors of every page since the tab opened,
// in order. One fault can show in both parts, as when an uncaught error is
// also logged to the console. Problems first waits until the console
// messages sent before the call have arrived. It fails when the page
// cannot be read or ctx is not a tab's context.
func Problems(ctx context.Context) ([]string, error) {
	rec, ok := ctx.Value(tabKey{}).(*consoleRecord)
	if !ok {
		return nil, fmt.Errorf("browsertest: the context is not a tab of NewTab")
	}
	mark := syncPrefix + strconv.FormatInt(rec.marks.Add(1), 10)
	problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`console.debug(`+strconv.Quote(mark)+`); window.__problems || []`))
	if err != nil {
		return nil, fmt.Errorf("browsertest: read the page's problems: %w", err)
	}
	for deadline := time.Now().Add(syncTimeout); !rec.sawText(mark); {
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("browsertest: the console did not report within %v", syncTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return append(problems, rec.errors()...), nil
}
