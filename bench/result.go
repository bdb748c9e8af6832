package bench

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Result is the outcome of a run.
type Result struct {
	Scenario    string
	Target      string
	Mode        string // "closed" or "open"
	Concurrency int
	Rate        float64 // open loop: the requested rate per second
	Start       time.Time
	Elapsed     time.Duration // from the start until the last request ended

	// Requests counts the requests that ended, OK plus Errors.
	Requests, OK, Errors int64
	// Missed counts, in open loop, the scheduled requests that were not
	// sent because every worker was busy and the queue was full.
	Missed int64
	// Interrupted is set when the run's context was cancelled; requests
	// abandoned then are in no count.
	Interrupted bool

	// Throughput is Requests per second of Elapsed; OKThroughput is OK per
	// second.
	Throughput, OKThroughput float64
	// Latency summarizes the latencies of the successful requests.
	Latency Latency

	// ErrorsByKind counts the errors by kind, such as "http 500",
	// "http 400 invalid_card", "charge failed insufficient_fund",
	// "timeout", "connection refused", "bad response". ErrorSamples holds
	// the first message of each kind; in scenarios of several requests it
	// starts with the failing one, such as "POST /charges: ".
	ErrorsByKind map[string]int64
	ErrorSamples map[string]string

	// Ceiling, when set by the caller, is a run of the ceiling scenario
	// with the same settings; the summary then states this run as a share
	// of it.
	Ceiling *Result
	// RequestsPerIteration is how many requests one iteration sends (see
	// [Multi]); the ceiling ratio counts requests.
	RequestsPerIteration int
}

func (r *runner) result(elapsed time.Duration, interrupted bool) *Result {
	res := &Result{
		Scenario:             r.cfg.Scenario.Name(),
		RequestsPerIteration: requestsPer(r.cfg.Scenario),
		Target:               r.target.BaseURL,
		Mode:                 "closed",
		Concurrency:          r.cfg.Concurrency,
		Start:                r.start,
		Elapsed:              elapsed,
		OK:                   r.ok.Load(),
		Errors:               r.failed.Load(),
		Missed:               r.missed.Load(),
		Interrupted:          interrupted,
		Latency:              r.hist.summary(),
		ErrorsByKind:         r.kinds,
		ErrorSamples:         r.sample,
	}
	if r.cfg.Rate > 0 {
		res.Mode, res.Rate = "open", r.cfg.Rate
	}
	res.Requests = res.OK + res.Errors
	if s := elapsed.Seconds(); s > 0 {
		res.Throughput = float64(res.Requests) / s
		res.OKThroughput = float64(res.OK) / s
	}
	return res
}

// CeilingRatio returns the requests per second of the successful
// iterations (OKThroughput times RequestsPerIteration) as a share of the
// ceiling's, or 0 when there is no ceiling or it had no successful requests.
func (r *Result) CeilingRatio() float64 {
	if r.Ceiling == nil || r.Ceiling.OKThroughput == 0 {
		return 0
	}
	return r.OKThroughput * float64(max(r.RequestsPerIteration, 1)) / r.Ceiling.OKThroughput
}

// WriteSummary writes the result for people, and returns the first write
// error.
func (r *Result) WriteSummary(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	mode := fmt.Sprintf("closed loop, %d workers", r.Concurrency)
	if r.Mode == "open" {
		mode = fmt.Sprintf("open loop at %g/s, %d workers", r.Rate, r.Concurrency)
	}
	fmt.Fprintf(tw, "scenario\t%s (%s)\n", r.Scenario, mode)
	fmt.Fprintf(tw, "target\t%s\n", r.Target)
	elapsed := fmt.Sprintf("%.3fs", r.Elapsed.Seconds())
	if r.Interrupted {
		elapsed += " (interrupted)"
	}
	fmt.Fprintf(tw, "elapsed\t%s\n", elapsed)
	reqs := fmt.Sprintf("%d (%d ok, %d errors)", r.Requests, r.OK, r.Errors)
	if r.Missed > 0 {
		reqs += fmt.Sprintf(", %d missed: not sent, every worker busy", r.Missed)
	}
	fmt.Fprintf(tw, "requests\t%s\n", reqs)
	fmt.Fprintf(tw, "throughput\t%.1f req/s (%.1f ok/s)\n", r.Throughput, r.OKThroughput)
	if r.OK > 0 {
		l := r.Latency
		fmt.Fprintf(tw, "latency (ok)\tmin %s  mean %s  p50 %s  p90 %s  p99 %s  p99.9 %s  max %s\n",
			fmtDuration(l.Min), fmtDuration(l.Mean), fmtDuration(l.P50), fmtDuration(l.P90),
			fmtDuration(l.P99), fmtDuration(l.P999), fmtDuration(l.Max))
	}
	label := "errors"
	for _, k := range r.errorKinds() {
		fmt.Fprintf(tw, "%s\t%d  %s\n", label, r.ErrorsByKind[k], k)
		label = ""
	}
	if r.Ceiling != nil {
		per := ""
		if r.RequestsPerIteration > 1 {
			per = fmt.Sprintf(" (counting %d requests per iteration)", r.RequestsPerIteration)
		}
		fmt.Fprintf(tw, "ceiling\t%.1f ok/s on this machine: this run reached %.1f%% of it%s\n",
			r.Ceiling.OKThroughput, 100*r.CeilingRatio(), per)
	}
	return tw.Flush()
}

// errorKinds returns the error kinds, most frequent first.
func (r *Result) errorKinds() []string {
	kinds := slices.Sorted(maps.Keys(r.ErrorsByKind))
	slices.SortStableFunc(kinds, func(a, b string) int {
		return cmp.Compare(r.ErrorsByKind[b], r.ErrorsByKind[a])
	})
	return kinds
}

// fmtDuration formats d with three significant digits or so.
func fmtDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond))
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.3fs", d.Seconds())
}

// jsonResult is the JSON form of a Result. Latencies are in milliseconds.
type jsonResult struct {
	Scenario     string             `json:"scenario"`
	Target       string             `json:"target"`
	Mode         string             `json:"mode"`
	Concurrency  int                `json:"concurrency"`
	Rate         float64            `json:"rate,omitempty"`
	StartedAt    time.Time          `json:"started_at"`
	Seconds      float64            `json:"elapsed_seconds"`
	Requests     int64              `json:"requests"`
	OK           int64              `json:"ok"`
	Errors       int64              `json:"errors"`
	Missed       int64              `json:"missed"`
	Interrupted  bool               `json:"interrupted"`
	Throughput   float64            `json:"throughput"`
	OKThroughput float64            `json:"ok_throughput"`
	LatencyMS    map[string]float64 `json:"latency_ms"`
	ErrorsByKind map[string]int64   `json:"errors_by_kind"`
	ErrorSamples map[string]string  `json:"error_samples"`
	Ceiling      *jsonResult        `json:"ceiling,omitempty"`
	CeilingRatio float64            `json:"ceiling_ratio,omitempty"`
}

func (r *Result) toJSON() *jsonResult {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	l := r.Latency
	j := &jsonResult{
		Scenario: r.Scenario, Target: r.Target, Mode: r.Mode, Concurrency: r.Concurrency, Rate: r.Rate,
		StartedAt: r.Start.UTC(), Seconds: r.Elapsed.Seconds(),
		Requests: r.Requests, OK: r.OK, Errors: r.Errors, Missed: r.Missed, Interrupted: r.Interrupted,
		Throughput: r.Throughput, OKThroughput: r.OKThroughput,
		LatencyMS: map[string]float64{
			"min": ms(l.Min), "mean": ms(l.Mean), "p50": ms(l.P50), "p90": ms(l.P90),
			"p99": ms(l.P99), "p99.9": ms(l.P999), "max": ms(l.Max),
		},
		ErrorsByKind: r.ErrorsByKind,
		ErrorSamples: r.ErrorSamples,
		CeilingRatio: r.CeilingRatio(),
	}
	if j.ErrorsByKind == nil {
		j.ErrorsByKind = map[string]int64{}
	}
	if j.ErrorSamples == nil {
		j.ErrorSamples = map[string]string{}
	}
	if r.Ceiling != nil {
		j.Ceiling = r.Ceiling.toJSON()
	}
	return j
}

// WriteJSON writes the result as an indented JSON object, latencies in
// milliseconds, and returns the write error.
func (r *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r.toJSON())
}

// WriteFile writes the result as JSON ([Result.WriteJSON]) to the named
// file, replacing it. It fails when the file cannot be written.
func (r *Result) WriteFile(name string) error {
	var b strings.Builder
	if err := r.WriteJSON(&b); err != nil {
		return err
	}
	if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	return nil
}
