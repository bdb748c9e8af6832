package bench

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestCompareFiles writes two results and checks the ratios and verdicts
// printed for them, line by line.
func TestCompareFiles(t *testing.T) {
	dir := t.TempDir()
	a := &Result{Scenario: "charges", Mode: "closed", Concurrency: 32, Elapsed: 10 * time.Second,
		Requests: 1000, OK: 1000, Throughput: 100, OKThroughput: 100,
		Latency: Latency{Min: time.Millisecond, Mean: 10 * time.Millisecond, P50: 8 * time.Millisecond,
			P90: 20 * time.Millisecond, P99: 40 * time.Millisecond, P999: 50 * time.Millisecond, Max: 60 * time.Millisecond}}
	b := *a
	b.Requests, b.OK, b.Errors, b.Throughput, b.OKThroughput = 2000, 1990, 10, 200, 199
	b.Latency.P99 = 80 * time.Millisecond
	b.Latency.Mean = 10200 * time.Microsecond
	pa, pb := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	if err := a.WriteFile(pa); err != nil {
		t.Fatal(err)
	}
	if err := b.WriteFile(pb); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := CompareFiles(&out, pa, pb); err != nil {
		t.Fatal(err)
	}
	lines := map[string][]string{}
	for _, l := range strings.Split(out.String(), "\n") {
		// Columns are separated by at least two spaces.
		cols := regexp.MustCompile(`\s{2,}`).Split(strings.TrimSpace(l), -1)
		if len(cols) > 1 {
			lines[cols[0]] = cols[1:]
		}
	}
	for metric, want := range map[string]string{
		"throughput (req/s)":    "100 200 2.000 better",
		"ok throughput (req/s)": "100 199 1.990 better",
		"latency p99 (ms)":      "40 80 2.000 worse",
		"latency mean (ms)":     "10 10.20 1.020 same",
		"errors":                "0 10 -",
	} {
		if got := strings.Join(lines[metric], " "); got != want {
			t.Errorf("%s: %q, want %q\n%s", metric, got, want, out.String())
		}
	}
	if strings.Contains(out.String(), "warning") {
		t.Errorf("warning for like runs:\n%s", out.String())
	}
	b.Scenario = "tokens"
	b.WriteFile(pb)
	out.Reset()
	CompareFiles(&out, pa, pb)
	if !strings.Contains(out.String(), "warning") {
		t.Error("no warning for unlike runs")
	}
	os.WriteFile(pb, []byte(`{"hello":1}`), 0o644)
	if err := CompareFiles(&out, pa, pb); err == nil || !strings.Contains(err.Error(), "not a result file") {
		t.Errorf("non-result file: %v", err)
	}
	if err := CompareFiles(&out, pa, filepath.Join(dir, "missing.json")); err == nil {
		t.Error("missing file accepted")
	}
}
