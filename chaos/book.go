package chaos

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"
)

// state is what a charge looks like to the client: its status and how
// much of it is refunded.
type state struct {
	Status   string
	Refunded int64
}

func (s state) String() string {
	if s.Refunded == 0 {
		return s.Status
	}
	return fmt.Sprintf("%s, %d refunded", s.Status, s.Refunded)
}

// record is one charge the client saw acknowledged.
type record struct {
	id, key string
	amount  int64
	// acked is the state of the last acknowledged answer about it.
	acked state
	// maybe are the states a later request that got no answer may have
	// left it in.
	maybe []state
}

// Counts are the requests of a run by outcome.
type Counts struct {
	// Requests is how many requests the client sent.
	Requests int64
	// Acknowledged is how many were answered with the object asked for.
	Acknowledged int64
	// ErrorObjects is how many were answered with an Omise error object.
	ErrorObjects int64
	// Unanswered is how many got no answer (connection refused or
	// reset, or the client's timeout).
	Unanswered int64
	// Statuses counts the answers by HTTP status, and Codes the error
	// objects by status and code ("503 service_unavailable").
	Statuses map[int]int64
	Codes    map[string]int64
	// ChargesAcked is how many charges the client saw acknowledged.
	ChargesAcked int
	// Slowest is the longest a request waited for its answer (or for
	// nothing).
	Slowest time.Duration
}

// book records every answer the client saw, and what it implies.
type book struct {
	mu         sync.Mutex
	charges    map[string]*record
	plain      []string // charges that no later request touches: for reads
	counts     Counts
	violations []string
	// strict makes a request without an answer a violation: the gateway
	// is meant to be up and must answer within the client's timeout.
	strict bool
}

func newBook() *book {
	return &book{charges: map[string]*record{}, counts: Counts{Statuses: map[int]int64{}, Codes: map[string]int64{}}}
}

// answered counts an answer. An answer that is neither the object asked
// for nor an Omise error object is a violation.
func (b *book) answered(what, kind string, a *answer) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.counts.Requests++
	b.counts.Slowest = max(b.counts.Slowest, a.Took)
	switch {
	case a.Err != nil:
		b.counts.Unanswered++
		if b.strict {
			b.violations = append(b.violations, fmt.Sprintf("%s: %s after %s", what, a, a.Took.Round(time.Millisecond)))
		}
		return
	case a.acked(kind):
		b.counts.Acknowledged++
	case a.errorObject():
		b.counts.ErrorObjects++
		b.counts.Codes[fmt.Sprintf("%d %s", a.Status, a.Obj.Code)]++
	default:
		b.violations = append(b.violations, fmt.Sprintf("%s: an answer that is neither a %s nor an error object: %s", what, kind, a))
	}
	b.counts.Statuses[a.Status]++
}

// violation records a broken rule.
func (b *book) violation(format string, args ...any) {
	b.mu.Lock()
	b.violations = append(b.violations, fmt.Sprintf(format, args...))
	b.mu.Unlock()
}

// charge records an acknowledged charge; plain says that no later
// request will touch it.
func (b *book) charge(key string, amount int64, o *object, plain bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, dup := b.charges[o.ID]; dup {
		b.violations = append(b.violations, fmt.Sprintf("charge request %s answered with %s, already the answer to another request", key, o.ID))
		return
	}
	if o.Description == nil || *o.Description != key || o.Amount != amount {
		b.violations = append(b.violations, fmt.Sprintf("charge request %s (amount %d) answered with %s (description %v, amount %d)", key, amount, o.ID, o.Description, o.Amount))
	}
	b.charges[o.ID] = &record{id: o.ID, key: key, amount: amount, acked: state{o.Status, o.RefundedAmount}}
	b.counts.ChargesAcked++
	if plain {
		b.plain = append(b.plain, o.ID)
	}
}

// sending notes that a request that may move a charge to s is sent.
func (b *book) sending(id string, s state) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if r := b.charges[id]; r != nil && !slices.Contains(r.maybe, s) {
		r.maybe = append(r.maybe, s)
	}
}

// settled records the acknowledged state of a charge after a request
// about it was answered.
func (b *book) settled(id string, s state) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if r := b.charges[id]; r != nil {
		r.acked, r.maybe = s, nil
	}
}

// pick returns the n-th most recent plain charge (modulo their number) and
// its acknowledged state, or "" when there is none.
func (b *book) pick(n int) (string, state) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.plain) == 0 {
		return "", state{}
	}
	w := min(len(b.plain), 1024)
	id := b.plain[len(b.plain)-1-n%w]
	return id, b.charges[id].acked
}

// setStrict sets whether a request without an answer is a violation.
func (b *book) setStrict(strict bool) {
	b.mu.Lock()
	b.strict = strict
	b.mu.Unlock()
}

// resetSlowest starts measuring the slowest request afresh.
func (b *book) resetSlowest() {
	b.mu.Lock()
	b.counts.Slowest = 0
	b.mu.Unlock()
}

// snapshot returns the counts and the violations so far.
func (b *book) snapshot() (Counts, []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.counts
	c.Statuses = maps.Clone(b.counts.Statuses)
	c.Codes = maps.Clone(b.counts.Codes)
	return c, slices.Clone(b.violations)
}

// records returns the acknowledged charges.
func (b *book) records() []*record {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]*record, 0, len(b.charges))
	for _, r := range b.charges {
		c := *r
		c.maybe = slices.Clone(r.maybe)
		out = append(out, &c)
	}
	return out
}
