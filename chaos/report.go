package chaos

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// FaultResult is what one fault of the fault suite showed.
type FaultResult struct {
	// Name says what was broken.
	Name string
	// Requests, Acknowledged, ErrorObjects and Unanswered count the
	// requests sent while it lasted.
	Requests, Acknowledged, ErrorObjects, Unanswered int64
	// Slowest is the longest a request waited for its answer then.
	Slowest string
	// Recovered is how long after the fault cleared a charge succeeded
	// again.
	Recovered string
	// Skipped says why the fault was not tried, "" when it was.
	Skipped string
}

// WriteText writes the report for people: the figures, then every
// violation, then "mismatches: N".
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	if r.Suite == "crash" {
		fmt.Fprintf(&b, "crash suite on %s (seed %d), %s\n", r.Database, r.Seed, r.Took.Round(1e8))
		fmt.Fprintf(&b, "kills: %d, gateway starts: %d\n", r.Kills, r.Starts)
	} else {
		fmt.Fprintf(&b, "%s suite on %s, %s\n", r.Suite, r.Database, r.Took.Round(1e8))
	}
	c := r.Counts
	fmt.Fprintf(&b, "requests: %d, acknowledged: %d, error objects: %d, unanswered: %d\n",
		c.Requests, c.Acknowledged, c.ErrorObjects, c.Unanswered)
	var st []string
	for _, k := range slices.Sorted(maps.Keys(c.Statuses)) {
		st = append(st, fmt.Sprintf("%d×%d", k, c.Statuses[k]))
	}
	fmt.Fprintf(&b, "answers by status: %s\n", strings.Join(st, " "))
	st = st[:0]
	for _, k := range slices.Sorted(maps.Keys(c.Codes)) {
		st = append(st, fmt.Sprintf("%s×%d", k, c.Codes[k]))
	}
	if len(st) > 0 {
		fmt.Fprintf(&b, "error objects: %s\n", strings.Join(st, ", "))
	}
	fmt.Fprintf(&b, "charges acknowledged: %d, charges in the gateway: %d, reconciled: %d\n", c.ChargesAcked, r.Charges, r.Reconciled)
	fmt.Fprintf(&b, "events: %d, webhook deliveries: %d\n", r.Events, r.Delivered)
	for _, f := range r.Faults {
		if f.Skipped != "" {
			fmt.Fprintf(&b, "fault %-28s skipped: %s\n", f.Name+":", f.Skipped)
			continue
		}
		fmt.Fprintf(&b, "fault %-28s %d requests, %d acknowledged, %d error objects, %d unanswered; slowest %s; a charge succeeded %s after it cleared\n",
			f.Name+":", f.Requests, f.Acknowledged, f.ErrorObjects, f.Unanswered, f.Slowest, f.Recovered)
	}
	if r.LeftInFlight > 0 {
		fmt.Fprintf(&b, "in flight after the load: %d, settled %s\n", r.LeftInFlight, r.SettledBy)
	}
	for _, v := range r.Violations {
		fmt.Fprintf(&b, "VIOLATION: %s\n", v)
	}
	fmt.Fprintf(&b, "mismatches: %d\n", len(r.Violations))
	_, err := io.WriteString(w, b.String())
	return err
}
