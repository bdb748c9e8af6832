package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kessai/kessai/bench"
)

// TestBenchRefusesRemoteTargets checks that kessai bench will not load a
// target off loopback, whatever the flag that names it.
func TestBenchRefusesRemoteTargets(t *testing.T) {
	for _, target := range []string{"http://10.1.2.3:8080", "https://api.example.com", "http://[2001:db8::1]:80", "http://127.0.0.1.evil.test"} {
		for _, flag := range []string{"--url", "--target"} {
			var out, errb bytes.Buffer
			err := run(context.Background(), []string{"bench", "charges", flag, target, "--public-key", "pkey_test_x", "--secret-key", "skey_test_x",
				"--duration", "1s", "--ceiling=false"}, &out, &errb)
			if err == nil || !strings.Contains(err.Error(), "not a loopback address") {
				t.Errorf("%s %s: %v", flag, target, err)
			}
		}
	}
}

// TestBenchCompareCommand runs kessai bench --compare on two result files.
func TestBenchCompareCommand(t *testing.T) {
	dir := t.TempDir()
	a := &bench.Result{Scenario: "tokens", Mode: "open", Rate: 100, Elapsed: time.Second, Requests: 100, OK: 100,
		Throughput: 100, OKThroughput: 100, Latency: bench.Latency{P50: 2 * time.Millisecond, P99: 9 * time.Millisecond}}
	b := *a
	b.Latency.P99 = 3 * time.Millisecond
	pa, pb := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	if err := a.WriteFile(pa); err != nil {
		t.Fatal(err)
	}
	if err := b.WriteFile(pb); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"bench", "--compare", pa, pb}, &out, &errb); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	if !regexpLine(out.String(), "latency p99 (ms)", "9", "3", "0.333", "better") {
		t.Errorf("output:\n%s", out.String())
	}
	if err := run(context.Background(), []string{"bench", "--compare", pa}, &out, &errb); err == nil {
		t.Error("--compare with one file accepted")
	}
}

// regexpLine reports whether some line of s starts with label and then has
// exactly the fields want.
func regexpLine(s, label string, want ...string) bool {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if rest, ok := strings.CutPrefix(l, label); ok && strings.Join(strings.Fields(rest), " ") == strings.Join(want, " ") {
			return true
		}
	}
	return false
}
