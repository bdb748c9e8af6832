package reconcile

import (
	"cmp"
	"slices"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/issuersim"
)

// charge is what reconciliation reads of a gateway charge.
type charge struct {
	id, status, inflight, currency string
	amount, captured               int64
	authorized                     bool
}

// refund is what reconciliation reads of a gateway refund.
type refund struct {
	id, charge, status, currency string
	amount                       int64
}

// snapshot is both sides as read: the gateway's records and the issuer's
// positions.
type snapshot struct {
	charges map[string]*charge
	refunds map[string]*refund
	// unsettled holds the references with a request in flight at the link
	// or a reversal queued.
	unsettled map[string]bool

	pendingReversals, expiredReversals int

	issuer *positions
}

func newSnapshot() *snapshot {
	return &snapshot{
		charges:   map[string]*charge{},
		refunds:   map[string]*refund{},
		unsettled: map[string]bool{},
		issuer:    newPositions(),
	}
}

// issuerPosition is the issuer's position under one reference (or, for
// entries without one, one transaction).
type issuerPosition struct {
	Position
	currency    string
	currencies  int // distinct currencies seen
	transaction string
}

// txnSums are the ledger sums of one issuer transaction.
type txnSums struct {
	ref, currency                                                  string
	hold, release, capture, captureReversal, credit, creditReverse int64
}

// positions accumulates ledger entries into positions per reference.
type positions struct {
	txns  map[string]*txnSums
	order []string
}

func newPositions() *positions { return &positions{txns: map[string]*txnSums{}} }

// add takes in one ledger entry.
func (p *positions) add(e *issuersim.LedgerEntry) {
	key := e.Reference + "\x00" + e.Transaction
	t := p.txns[key]
	if t == nil {
		t = &txnSums{ref: e.Reference, currency: e.Currency}
		p.txns[key] = t
		p.order = append(p.order, key)
	}
	switch e.Kind {
	case issuersim.LedgerHold:
		t.hold += e.Amount
	case issuersim.LedgerRelease:
		t.release += e.Amount
	case issuersim.LedgerCapture:
		t.capture += e.Amount
	case issuersim.LedgerCaptureReversal:
		t.captureReversal += e.Amount
	case issuersim.LedgerRefund:
		t.credit += e.Amount
	case issuersim.LedgerRefundReversal:
		t.creditReverse += e.Amount
	}
}

// byReference returns the position under each reference; entries without
// a reference are keyed by "\x00" and their transaction.
func (p *positions) byReference() map[string]*issuerPosition {
	out := map[string]*issuerPosition{}
	for _, key := range p.order {
		t := p.txns[key]
		k := t.ref
		if k == "" {
			k = key
		}
		pos := out[k]
		if pos == nil {
			pos = &issuerPosition{currency: t.currency, currencies: 1}
			if t.ref == "" {
				pos.transaction = key[1:]
			}
			out[k] = pos
		} else if pos.currency != t.currency {
			pos.currencies++
		}
		held := t.hold - t.release
		if t.hold > 0 {
			// A capture posts a hold; a sale posts without one.
			held -= t.capture
		}
		pos.Held += held
		pos.Posted += t.capture - t.captureReversal
		pos.Credited += t.credit - t.creditReverse
	}
	return out
}

// compare lists the mismatches of s, and fills in the report's counts.
func compare(s *snapshot, r *Report) {
	issuer := s.issuer.byReference()
	r.Charges, r.Refunds, r.References = len(s.charges), len(s.refunds), len(issuer)
	r.PendingReversals, r.ExpiredReversals = s.pendingReversals, s.expiredReversals
	r.InFlight = 0
	r.Mismatches = r.Mismatches[:0]
	seen := map[string]bool{}
	for _, c := range s.charges {
		seen[c.id] = true
		if c.inflight != "" || s.unsettled[c.id] {
			r.InFlight++
			continue
		}
		got := issuer[c.id]
		if m, ok := checkCharge(c, got); !ok {
			r.Mismatches = append(r.Mismatches, m)
		}
	}
	for _, f := range s.refunds {
		seen[f.id] = true
		if f.status == kessai.RefundPending || s.unsettled[f.id] {
			r.InFlight++
			continue
		}
		if m, ok := checkRefund(f, issuer[f.id]); !ok {
			r.Mismatches = append(r.Mismatches, m)
		}
	}
	for ref, pos := range issuer {
		if seen[ref] || pos.IsZero() || s.unsettled[ref] {
			continue
		}
		m := Mismatch{Kind: UnknownReference, Reference: ref, Currency: pos.currency, Issuer: pos.Position}
		if pos.transaction != "" {
			m.Reference, m.Transaction = "", pos.transaction
		}
		r.Mismatches = append(r.Mismatches, m)
	}
	sortMismatches(r.Mismatches)
}

// sortMismatches sorts by reference, then transaction.
func sortMismatches(ms []Mismatch) {
	slices.SortFunc(ms, func(a, b Mismatch) int {
		return cmp.Or(cmp.Compare(a.Reference, b.Reference), cmp.Compare(a.Transaction, b.Transaction))
	})
}

// checkCharge compares a settled charge with the issuer's position under
// its id (nil when the issuer has none). It returns the mismatch and
// false, or true when they agree.
func checkCharge(c *charge, got *issuerPosition) (Mismatch, bool) {
	var want Position
	switch kessai.ChargeStatus(c.status) {
	case kessai.ChargePending:
		if c.authorized {
			want.Held = c.amount
		}
	case kessai.ChargeSuccessful:
		want.Posted = c.captured
	}
	m := Mismatch{Reference: c.id, Charge: c.id, Status: c.status, Currency: c.currency, Gateway: want}
	var have Position
	if got != nil {
		have = got.Position
		m.Issuer = have
		if !have.IsZero() && (got.currency != c.currency || got.currencies > 1) {
			m.IssuerCurrency = got.currency
		}
	}
	switch {
	case have == want && m.IssuerCurrency == "":
		return m, true
	case want.Held > 0 && have.Held == 0 && have.Posted == 0:
		m.Kind = MissingHold
	case want.Posted > 0 && have.Posted == 0 && have.Held == 0:
		m.Kind = MissingPosting
	case want.Held == 0 && have.Held > 0 && have.Posted == want.Posted:
		m.Kind = HoldNotReleased
	case want.Posted == 0 && have.Posted > 0:
		m.Kind = UnexpectedPosting
	default:
		m.Kind = AmountMismatch
	}
	return m, false
}

// checkRefund compares a settled refund with the issuer's position under
// its id.
func checkRefund(f *refund, got *issuerPosition) (Mismatch, bool) {
	var want Position
	if f.status == kessai.RefundClosed {
		want.Credited = f.amount
	}
	m := Mismatch{Reference: f.id, Charge: f.charge, Status: f.status, Currency: f.currency, Gateway: want}
	var have Position
	if got != nil {
		have = got.Position
		m.Issuer = have
		if !have.IsZero() && (got.currency != f.currency || got.currencies > 1) {
			m.IssuerCurrency = got.currency
		}
	}
	switch {
	case have == want && m.IssuerCurrency == "":
		return m, true
	case want.Credited > 0 && have.IsZero():
		m.Kind = MissingRefund
	case want.Credited == 0 && have.Credited != 0:
		m.Kind = UnexpectedRefund
	default:
		m.Kind = AmountMismatch
	}
	return m, false
}
