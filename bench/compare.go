package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"text/tabwriter"
)

// compareRows are the metrics [Compare] prints, in order: the label, the
// value, and whether more is better.
var compareRows = []struct {
	name   string
	value  func(*jsonResult) float64
	higher bool
}{
	{"throughput (req/s)", func(j *jsonResult) float64 { return j.Throughput }, true},
	{"ok throughput (req/s)", func(j *jsonResult) float64 { return j.OKThroughput }, true},
	{"requests", func(j *jsonResult) float64 { return float64(j.Requests) }, true},
	{"errors", func(j *jsonResult) float64 { return float64(j.Errors) }, false},
	{"missed (open loop)", func(j *jsonResult) float64 { return float64(j.Missed) }, false},
	{"latency min (ms)", func(j *jsonResult) float64 { return j.LatencyMS["min"] }, false},
	{"latency mean (ms)", func(j *jsonResult) float64 { return j.LatencyMS["mean"] }, false},
	{"latency p50 (ms)", func(j *jsonResult) float64 { return j.LatencyMS["p50"] }, false},
	{"latency p90 (ms)", func(j *jsonResult) float64 { return j.LatencyMS["p90"] }, false},
	{"latency p99 (ms)", func(j *jsonResult) float64 { return j.LatencyMS["p99"] }, false},
	{"latency p99.9 (ms)", func(j *jsonResult) float64 { return j.LatencyMS["p99.9"] }, false},
	{"latency max (ms)", func(j *jsonResult) float64 { return j.LatencyMS["max"] }, false},
	{"share of ceiling", func(j *jsonResult) float64 { return j.CeilingRatio }, true},
}

// CompareFiles reads two result files written by [Result.WriteFile] and
// writes [Compare]'s table. Fails when a file cannot be read or is not a
// result.
func CompareFiles(w io.Writer, a, b string) error {
	ra, err := readResult(a)
	if err != nil {
		return err
	}
	rb, err := readResult(b)
	if err != nil {
		return err
	}
	return compare(w, a, b, ra, rb)
}

func readResult(name string) (*jsonResult, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer f.Close()
	var j jsonResult
	if err := json.NewDecoder(f).Decode(&j); err != nil {
		return nil, fmt.Errorf("bench: %s is not a result file: %w", name, err)
	}
	if j.Scenario == "" || j.LatencyMS == nil {
		return nil, fmt.Errorf("bench: %s is not a result file (no scenario or latency)", name)
	}
	return &j, nil
}

// compare writes one line per metric: A's value, B's, the ratio B/A and
// whether B is better or worse (changes within 5% are "same"). A ratio
// whose A is zero is printed as "-".
func compare(w io.Writer, nameA, nameB string, a, b *jsonResult) error {
	fmt.Fprintf(w, "A: %s (%s, %s loop, concurrency %d, rate %g)\n", nameA, a.Scenario, a.Mode, a.Concurrency, a.Rate)
	fmt.Fprintf(w, "B: %s (%s, %s loop, concurrency %d, rate %g)\n", nameB, b.Scenario, b.Mode, b.Concurrency, b.Rate)
	if a.Scenario != b.Scenario || a.Mode != b.Mode {
		fmt.Fprintln(w, "warning: the runs differ in scenario or mode; the ratios compare unlike things")
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "metric\tA\tB\tB/A\t\t")
	for _, row := range compareRows {
		va, vb := row.value(a), row.value(b)
		ratio, verdict := "-", ""
		if va != 0 {
			q := vb / va
			ratio = fmt.Sprintf("%.3f", q)
			switch {
			case math.Abs(q-1) <= 0.05:
				verdict = "same"
			case (q > 1) == row.higher:
				verdict = "better"
			default:
				verdict = "worse"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", row.name, fmtNum(va), fmtNum(vb), ratio, verdict)
	}
	return tw.Flush()
}

func fmtNum(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2f", v)
}
