package chaos

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kessai/kessai/issuersim"
	"github.com/kessai/kessai/reconcile"
	"github.com/kessai/kessai/sqlstore"
)

// checks are the outcome of the checks after a run.
type checks struct {
	Charges    int // charges in the gateway
	Events     int // events in the gateway
	Delivered  int // webhook deliveries received (repeats included)
	Reconcile  *reconcile.Report
	Violations []string
}

// drain waits until the link's reversal queue is empty and none of its
// requests is in flight. Fails after the timeout.
func drain(ctx context.Context, db *sqlstore.DB, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return reconcile.Wait(ctx, db, 100*time.Millisecond)
}

// verify checks a drained gateway against what the client was told, the
// card company's ledger and the webhook receiver. eventWait bounds the
// wait for the last deliveries.
func verify(ctx context.Context, c *client, db *sqlstore.DB, issuer *issuersim.Server, b *book, rc *receiver, eventWait time.Duration) (*checks, error) {
	out := &checks{}
	bad := func(format string, args ...any) {
		out.Violations = append(out.Violations, fmt.Sprintf(format, args...))
	}

	charges, err := c.list(ctx, "/charges")
	if err != nil {
		return nil, err
	}
	out.Charges = len(charges)
	byID := map[string]*object{}
	perKey := map[string][]string{}
	for i := range charges {
		ch := &charges[i]
		byID[ch.ID] = ch
		if ch.Description != nil {
			perKey[*ch.Description] = append(perKey[*ch.Description], ch.ID)
		}
	}
	// Every acknowledged charge exists, as acknowledged (or as a request
	// that got no answer may have left it).
	for _, r := range b.records() {
		ch, ok := byID[r.id]
		if !ok {
			bad("acknowledged charge %s (request %s) does not exist", r.id, r.key)
			continue
		}
		got := state{ch.Status, ch.RefundedAmount}
		if ch.Amount != r.amount {
			bad("charge %s: amount %d, acknowledged %d", r.id, ch.Amount, r.amount)
		}
		if got != r.acked && !slices.Contains(r.maybe, got) {
			bad("charge %s: %s, acknowledged as %s (or maybe %v)", r.id, got, r.acked, r.maybe)
		}
	}
	// No charge request made two charges.
	for key, ids := range perKey {
		if len(ids) > 1 {
			bad("charge request %s made %d charges: %s", key, len(ids), strings.Join(ids, " "))
		}
	}
	// No charge authorized twice at the card company.
	taken := map[string]int{}
	held := map[string]bool{} // transactions that held first
	for after := int64(0); ; {
		entries, err := issuer.Ledger(ctx, issuersim.LedgerQuery{After: after})
		if err != nil {
			return nil, err
		}
		if len(entries) == 0 {
			break
		}
		for _, e := range entries {
			after = e.Seq
			switch {
			case e.Kind == issuersim.LedgerHold:
				taken[e.Reference]++
				held[e.Transaction] = true
			case e.Kind == issuersim.LedgerCapture && !held[e.Transaction]:
				taken[e.Reference]++ // a sale
			}
		}
	}
	for ref, n := range taken {
		if n > 1 && strings.HasPrefix(ref, "chrg_") {
			bad("charge %s authorized %d times at the card company", ref, n)
		}
	}
	// The gateway and the card company agree (no hold without a charge,
	// none left open for a failed charge, amounts equal).
	rep, err := reconcile.Run(ctx, db, issuer)
	if err != nil {
		return nil, err
	}
	out.Reconcile = rep
	for _, m := range rep.Mismatches {
		bad("reconcile: %s", mismatchText(m))
	}
	if rep.PendingReversals != 0 || rep.InFlight != 0 {
		bad("reconcile: %d reversals pending, %d requests in flight after the drain", rep.PendingReversals, rep.InFlight)
	}
	// Every event reached the webhook endpoint.
	events, err := c.list(ctx, "/events")
	if err != nil {
		return nil, err
	}
	out.Events = len(events)
	ids := make([]string, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	end := time.Now().Add(eventWait)
	missing := rc.missing(ids)
	for len(missing) > 0 && time.Now().Before(end) && ctx.Err() == nil {
		time.Sleep(200 * time.Millisecond)
		missing = rc.missing(ids)
	}
	if len(missing) > 0 {
		bad("%d of %d events never delivered to the webhook endpoint (first %s)", len(missing), len(ids), missing[0])
	}
	out.Delivered = rc.deliveries()
	return out, nil
}

// mismatchText describes a reconciliation mismatch in one line.
func mismatchText(m reconcile.Mismatch) string {
	return strings.TrimSpace(fmt.Sprintf("%+v", m))
}
