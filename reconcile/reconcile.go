package reconcile

import (
	"context"
	"fmt"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/issuersim"
	"github.com/kessai/kessai/sqlstore"
)

// Ledger reads the issuer host's ledger. *issuersim.Server implements it;
// [IssuerDB] reads an issuer database directly.
type Ledger interface {
	Ledger(ctx context.Context, q issuersim.LedgerQuery) ([]issuersim.LedgerEntry, error)
}

var _ Ledger = (*issuersim.Server)(nil)

// LedgerFunc is a function that implements [Ledger].
type LedgerFunc func(ctx context.Context, q issuersim.LedgerQuery) ([]issuersim.LedgerEntry, error)

// Ledger calls f.
func (f LedgerFunc) Ledger(ctx context.Context, q issuersim.LedgerQuery) ([]issuersim.LedgerEntry, error) {
	return f(ctx, q)
}

// IssuerDB returns the ledger of an issuer database opened with
// issuersim.Open, for when the host runs elsewhere (or not at all).
func IssuerDB(db *sqlstore.DB) Ledger {
	return LedgerFunc(func(ctx context.Context, q issuersim.LedgerQuery) ([]issuersim.LedgerEntry, error) {
		return issuersim.ReadLedger(ctx, db, q)
	})
}

// maxRecheck bounds the mismatches read again one by one.
const maxRecheck = 1000

// Run reconciles the gateway database db with the issuer's ledger and
// returns the report. Every mismatch of a first full pass is read again,
// reference by reference, and reported only if it is still there, so that
// payments made during the pass do not show as mismatches. Fails only when
// a side cannot be read.
func Run(ctx context.Context, db *sqlstore.DB, issuer Ledger) (*Report, error) {
	s := newSnapshot()
	if err := loadGateway(ctx, db, s, nil); err != nil {
		return nil, err
	}
	if err := loadLedger(ctx, issuer, s, ""); err != nil {
		return nil, err
	}
	r := &Report{}
	compare(s, r)
	if r.OK() {
		return r, nil
	}

	var refs []string
	var kept []Mismatch // unreferenced entries cannot be read alone
	for _, m := range r.Mismatches {
		if m.Reference == "" || len(refs) == maxRecheck {
			kept = append(kept, m)
			continue
		}
		refs = append(refs, m.Reference)
	}
	again := newSnapshot()
	if err := loadGateway(ctx, db, again, refs); err != nil {
		return nil, err
	}
	for _, ref := range refs {
		if err := loadLedger(ctx, issuer, again, ref); err != nil {
			return nil, err
		}
	}
	r2 := &Report{}
	compare(again, r2)
	r.InFlight += r2.InFlight
	r.Mismatches = append(kept, r2.Mismatches...)
	sortMismatches(r.Mismatches)
	return r, nil
}

// Pending returns how many reversals are queued at the link and how many
// requests the link has sent without settling (no answer recorded, not
// given up yet).
func Pending(ctx context.Context, db *sqlstore.DB) (reversals, requests int, err error) {
	queued, err := db.ListReversals(ctx, kessai.ReversalQueued)
	if err != nil {
		return 0, 0, fmt.Errorf("reconcile: %w", err)
	}
	pending, err := db.StaleNetworkMessages(ctx, horizon(), maxPending)
	if err != nil {
		return 0, 0, fmt.Errorf("reconcile: %w", err)
	}
	return len(queued), len(pending), nil
}

// Wait polls db every interval (100ms when 0) until the link's reversal
// queue is empty and none of its requests awaits an answer. It returns nil
// then, or, when ctx ends first, an error wrapping ctx's that says what is
// still pending. Only a running gateway drains the queue.
func Wait(ctx context.Context, db *sqlstore.DB, interval time.Duration) error {
	if interval <= 0 {
		interval = 100 * time.Millisecond
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	var revs, reqs int
	for {
		r, q, err := Pending(ctx, db)
		switch {
		case err == nil && r == 0 && q == 0:
			return nil
		case err == nil:
			revs, reqs = r, q
		case ctx.Err() == nil:
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("reconcile: still pending: %d reversals, %d requests in flight: %w", revs, reqs, ctx.Err())
		case <-t.C:
		}
	}
}
