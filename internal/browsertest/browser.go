package browsertest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Chromium is the browser the tests run. A test that needs it is skipped
// when it is not installed.
const Chromium = "/usr/bin/chromium"

// WindowWidth and WindowHeight are the size of the browser window, in CSS pixels: about a laptop
// screen's height, at a width where a narrow page shows its margins.
const (
	WindowWidth  = 800
	WindowHeight = 1000
)

// timeout bounds a browser's life, so that a hung page fails the test
// rather than the whole run.
const timeout = 2 * time.Minute

// NewBrowser starts headless [Chromium] for t, with a fresh profile, and
// returns its chromedp context; open tabs in it with [NewTab]. The browser
// makes no connections of its own (no background networking, component
// updates or sync), so a test sees only the requests its pages send. It
// stops, and its profile is removed, when t ends, and it is stopped at the
// latest two minutes after it started.
//
// NewBrowser skips t when Chromium is not installed and fails t when the
// browser cannot start.
//
// extra options are added to the defaults, such as
// chromedp.Flag("ignore-certificate-errors", true) for pages served with
// certificates of a test CA.
func NewBrowser(t testing.TB, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	if _, err := os.Stat(Chromium); err != nil {
		t.Skipf("%s not installed: %v", Chromium, err)
	}
	// The profile directory is removed with retries: chromium's helper
	// processes may still write to it for a moment after it exits.
	profile, err := os.MkdirTemp("", "kessai-chromium-")
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
		chromedp.ExecPath(Chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(profile),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(WindowWidth, WindowHeight),
	)
	opts = append(opts, extra...)
	parent, cancelTimeout := context.WithTimeout(t.Context(), timeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(parent, opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc(); cancelTimeout() })
	// Start the browser now, on a context without a deadline of its own:
	// the first run's context would otherwise bound the browser's life.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", Chromium, err)
	}
	return ctx
}
