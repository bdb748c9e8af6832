package bench_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai/bench"
)

func sampleResult() *bench.Result {
	return &bench.Result{
		Scenario: "tokens", Target: "http://127.0.0.1:8080", Mode: "closed", Concurrency: 64,
		Start: time.Date(2026, 11, 22, 4, 0, 0, 0, time.UTC), Elapsed: 10 * time.Second,
		Requests: 1000, OK: 990, Errors: 10,
		Throughput: 100, OKThroughput: 99,
		Latency: bench.Latency{
			Min: 200 * time.Microsecond, Mean: 1500 * time.Microsecond, P50: 1200 * time.Microsecond,
			P90: 2500 * time.Microsecond, P99: 12 * time.Millisecond, P999: 40 * time.Millisecond, Max: 1500 * time.Millisecond,
		},
		ErrorsByKind: map[string]int64{"http 500": 3, "timeout": 7},
		ErrorSamples: map[string]string{"http 500": "bench: HTTP 500", "timeout": "context deadline exceeded"},
		Ceiling:      &bench.Result{Scenario: "ceiling", Mode: "closed", OK: 4000, OKThroughput: 396},
	}
}

func TestWriteSummary(t *testing.T) {
	var b bytes.Buffer
	if err := sampleResult().WriteSummary(&b); err != nil {
		t.Fatal(err)
	}
	want := `scenario      tokens (closed loop, 64 workers)
target        http://127.0.0.1:8080
elapsed       10.000s
requests      1000 (990 ok, 10 errors)
throughput    100.0 req/s (99.0 ok/s)
latency (ok)  min 200µs  mean 1.50ms  p50 1.20ms  p90 2.50ms  p99 12.0ms  p99.9 40.0ms  max 1.500s
errors        7  timeout
              3  http 500
ceiling       396.0 ok/s on this machine: this run reached 25.0% of it
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
}

func TestWriteJSON(t *testing.T) {
	r := sampleResult()
	file := filepath.Join(t.TempDir(), "bench.json")
	if err := r.WriteFile(file); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	ceiling := got["ceiling"].(map[string]any)
	delete(got, "ceiling")
	want := map[string]any{
		"scenario": "tokens", "target": "http://127.0.0.1:8080", "mode": "closed", "concurrency": 64.0,
		"started_at": "2026-11-22T04:00:00Z", "elapsed_seconds": 10.0,
		"requests": 1000.0, "ok": 990.0, "errors": 10.0, "missed": 0.0, "interrupted": false,
		"throughput": 100.0, "ok_throughput": 99.0,
		"latency_ms": map[string]any{
			"min": 0.2, "mean": 1.5, "p50": 1.2, "p90": 2.5, "p99": 12.0, "p99.9": 40.0, "max": 1500.0,
		},
		"errors_by_kind": map[string]any{"http 500": 3.0, "timeout": 7.0},
		"error_samples":  map[string]any{"http 500": "bench: HTTP 500", "timeout": "context deadline exceeded"},
		"ceiling_ratio":  0.25,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("JSON (-want +got):\n%s", diff)
	}
	if ceiling["scenario"] != "ceiling" || ceiling["ok_throughput"] != 396.0 {
		t.Errorf("ceiling = %v", ceiling)
	}
}

func TestWriteSummaryOpenLoop(t *testing.T) {
	r := &bench.Result{Scenario: "tokens", Mode: "open", Rate: 500, Concurrency: 256, Requests: 10, Missed: 4, Interrupted: true,
		ErrorsByKind: map[string]int64{}}
	var b bytes.Buffer
	if err := r.WriteSummary(&b); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"open loop at 500/s, 256 workers", "(interrupted)", "4 missed"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("summary lacks %q:\n%s", s, b.String())
		}
	}
	if strings.Contains(b.String(), "latency") {
		t.Errorf("summary shows a latency without successful requests:\n%s", b.String())
	}
}
