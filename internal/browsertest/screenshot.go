package browsertest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// Screenshot saves a PNG of the whole page that the tab of ctx shows, as
// name in t.ArtifactDir(), logs where, and returns the file's path ("" when
// it failed). A failure is reported with t.Errorf, not t.Fatalf, so that a
// test can take a screenshot on its way out of a failure.
//
// t.ArtifactDir() is removed after the test unless go test runs with
// -artifacts, which keeps it below -outputdir:
//
//	go test -run Browser -artifacts -outputdir /tmp/shots ./web
func Screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot: %v", err)
		return ""
	}
	file := filepath.Join(t.ArtifactDir(), name)
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Errorf("save screenshot: %v", err)
		return ""
	}
	t.Logf("screenshot: %s", file)
	return file
}
