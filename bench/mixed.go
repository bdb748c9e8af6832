package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
)

// The iterations of the mixed scenario and their weights, in twentieths.
const (
	mixCharge   = iota // "charges"
	mixCapture         // "capture"
	mixRefund          // "refunds"
	mixCustomer        // "customers"
	mixRead            // GET /charges/{id}
	mixOps
)

var mixWeights = [mixOps]int{
	mixCharge:   10, // 50%
	mixCapture:  3,  // 15%
	mixRefund:   2,  // 10%
	mixCustomer: 3,  // 15%
	mixRead:     2,  // 10%
}

// mixSchedule is the order of the iterations, repeated.
var mixSchedule = interleave(mixWeights[:])

// Mixed returns the "mixed" scenario, a weighted mix of the others. Each
// iteration is one of these, in a fixed interleaved order that repeats
// every 20 iterations, so that any 20 consecutive iterations are exactly
// this mix:
//
//	50%  as "charges": token, then a captured charge, expecting it successful
//	15%  as "capture": token, charge with capture=false, then capture
//	10%  as "refunds": token, captured charge, then a refund of half
//	15%  as "customers": a charge of a customer's saved card
//	10%  a read: GET /charges/{id} of one of the last 1024 charges of the
//	     run, at random, expecting 200 and that charge, successful
//
// Each kind of iteration expects and fails as the scenario it is named
// after. Prepare creates the customers, as "customers" does (and deletes
// them after the run), and 8 charges of their cards for the first reads.
// Iterations send one to three requests, so the latency percentiles are
// of a mix too.
func Mixed(o ChargeOptions) Scenario {
	o = o.withDefaults()
	return &mixed{cust: customers{opts: o}}
}

// mixedSeeds is the number of charges Prepare creates for reads.
const mixedSeeds = 8

type mixed struct {
	cust   customers
	n      atomic.Uint64 // iterations started
	recent recentCharges
}

func (*mixed) Name() string { return "mixed" }

// Prepare creates the customers and 8 charges of their cards, and returns
// a func that deletes the customers. It fails as the customers scenario's
// Prepare does, or when a charge is not successful.
func (s *mixed) Prepare(ctx context.Context, c *http.Client, t Target) (Target, func(), error) {
	t, undo, err := s.cust.prepare(ctx, c, t, s.Name())
	if err != nil {
		return t, nil, err
	}
	for i := range mixedSeeds {
		rctx, cancel := context.WithTimeout(ctx, DefaultTimeout)
		id, err := s.cust.charge(rctx, c, t)
		cancel()
		if err != nil {
			undo()
			return t, nil, fmt.Errorf("create charge %d of %d: %w", i+1, mixedSeeds, err)
		}
		s.recent.add(id)
	}
	return t, undo, nil
}

func (s *mixed) Do(ctx context.Context, c *http.Client, t Target) error {
	var id string
	var err error
	switch mixSchedule[(s.n.Add(1)-1)%uint64(len(mixSchedule))] {
	case mixCharge:
		id, err = chargeCard(ctx, c, t, s.cust.opts, true)
	case mixCapture:
		id, err = authorizeAndCapture(ctx, c, t, s.cust.opts)
	case mixRefund:
		id, err = chargeAndRefund(ctx, c, t, s.cust.opts)
	case mixCustomer:
		id, err = s.cust.charge(ctx, c, t)
	case mixRead:
		id = s.recent.pick()
		if id == "" {
			return errNotPrepared
		}
		return getCharge(ctx, c, t, id, "successful")
	}
	if err == nil {
		s.recent.add(id)
	}
	return err
}

// recentCharges holds the ids of the last successful charges of a run.
type recentCharges struct {
	mu  sync.Mutex
	ids [1024]string
	n   int // ids added
}

func (r *recentCharges) add(id string) {
	r.mu.Lock()
	r.ids[r.n%len(r.ids)] = id
	r.n++
	r.mu.Unlock()
}

// pick returns one of the ids at random, or "" when there are none.
func (r *recentCharges) pick() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == 0 {
		return ""
	}
	return r.ids[rand.IntN(min(r.n, len(r.ids)))]
}

// interleave returns a sequence in which each index i of weights occurs
// weights[i] times, spread out as evenly as it can be (smooth weighted
// round-robin: each step, every index gains its weight and the one with
// the most credit is chosen and pays the total).
func interleave(weights []int) []int {
	total := 0
	for _, w := range weights {
		total += w
	}
	credit := make([]int, len(weights))
	seq := make([]int, 0, total)
	for range total {
		best := 0
		for i, w := range weights {
			credit[i] += w
			if credit[i] > credit[best] {
				best = i
			}
		}
		credit[best] -= total
		seq = append(seq, best)
	}
	return seq
}
