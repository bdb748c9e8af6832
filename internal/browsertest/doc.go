// Package browsertest runs end-to-end tests in headless Chromium through
// chromedp. [NewBrowser] starts a fresh browser for a test, or skips the test
// when Chromium is not installed; [NewTab] opens a tab that records what goes
// wrong on its pages; [Problems] reads that record, and [Screenshot] saves
// what the tab shows.
package browsertest
