package reconcile

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai/issuersim"
)

// entry is a ledger entry of the given kind under a reference, in
// transaction txn.
func entry(kind, ref, txn string, amount int64) issuersim.LedgerEntry {
	return issuersim.LedgerEntry{Kind: kind, Reference: ref, Transaction: txn, Amount: amount, Currency: "jpy"}
}

// L returns its entries as a slice.
func L(e ...issuersim.LedgerEntry) []issuersim.LedgerEntry { return e }

const (
	hold       = issuersim.LedgerHold
	release    = issuersim.LedgerRelease
	capture    = issuersim.LedgerCapture
	capRev     = issuersim.LedgerCaptureReversal
	credit     = issuersim.LedgerRefund
	creditRev  = issuersim.LedgerRefundReversal
	chargeID   = "chrg_test_1"
	refundID   = "rfnd_test_1"
	authTxn    = "1|400001|KESSAI01|000001|0101000000"
	refundTxn  = "2|400001|KESSAI01|000002|0101000000"
	secondAuth = "1|400001|KESSAI01|000003|0101000000"
)

func TestCompare(t *testing.T) {
	pendingAuth := charge{id: chargeID, status: "pending", currency: "jpy", amount: 1000, authorized: true}
	captured := charge{id: chargeID, status: "successful", currency: "jpy", amount: 1000, captured: 1000, authorized: true}
	partial := captured
	partial.captured = 600
	failed := charge{id: chargeID, status: "failed", currency: "jpy", amount: 1000}
	reversed := charge{id: chargeID, status: "reversed", currency: "jpy", amount: 1000, authorized: true}
	unauthorized := charge{id: chargeID, status: "pending", currency: "jpy", amount: 1000}
	inflight := failed
	inflight.status, inflight.inflight = "pending", "authorize"
	closed := refund{id: refundID, charge: chargeID, status: "closed", currency: "jpy", amount: 400}
	failedRefund := closed
	failedRefund.status = "failed"
	pendingRefund := closed
	pendingRefund.status = "pending"

	heldAuth := []issuersim.LedgerEntry{entry(hold, chargeID, authTxn, 1000)}
	released := slices.Concat(heldAuth, L(entry(release, chargeID, authTxn, 1000)))
	posted := slices.Concat(heldAuth, L(entry(capture, chargeID, authTxn, 1000)))
	postedPartial := slices.Concat(heldAuth, L(entry(capture, chargeID, authTxn, 600), entry(release, chargeID, authTxn, 400)))
	postedReversed := slices.Concat(posted, L(entry(capRev, chargeID, authTxn, 1000)))
	credited := slices.Concat(posted, L(entry(credit, refundID, refundTxn, 400)))
	creditReversed := slices.Concat(credited, L(entry(creditRev, refundID, refundTxn, 400)))

	tests := []struct {
		name      string
		charges   []charge
		refunds   []refund
		ledger    []issuersim.LedgerEntry
		unsettled []string
		want      []Mismatch
		inFlight  int
	}{
		{name: "open authorization held", charges: []charge{pendingAuth}, ledger: heldAuth},
		{name: "captured and posted", charges: []charge{captured}, ledger: posted},
		{name: "partial capture", charges: []charge{partial}, ledger: postedPartial},
		{name: "failed, nothing at the issuer", charges: []charge{failed}},
		{name: "failed, hold released", charges: []charge{failed}, ledger: released},
		{name: "failed, posting reversed", charges: []charge{failed}, ledger: postedReversed},
		{name: "reversed, released", charges: []charge{reversed}, ledger: released},
		{name: "refund credited", charges: []charge{captured}, refunds: []refund{closed}, ledger: credited},
		{name: "failed refund reversed", charges: []charge{captured}, refunds: []refund{failedRefund}, ledger: creditReversed},
		{name: "an issuer reference with no money left", ledger: released},
		{
			name: "missing hold", charges: []charge{pendingAuth},
			want: []Mismatch{{Kind: MissingHold, Reference: chargeID, Charge: chargeID, Status: "pending", Currency: "jpy", Gateway: Position{Held: 1000}}},
		},
		{
			name: "missing posting", charges: []charge{captured}, ledger: released,
			want: []Mismatch{{Kind: MissingPosting, Reference: chargeID, Charge: chargeID, Status: "successful", Currency: "jpy", Gateway: Position{Posted: 1000}}},
		},
		{
			name: "failed charge still held", charges: []charge{failed}, ledger: heldAuth,
			want: []Mismatch{{Kind: HoldNotReleased, Reference: chargeID, Charge: chargeID, Status: "failed", Currency: "jpy", Issuer: Position{Held: 1000}}},
		},
		{
			name: "unauthorized charge held", charges: []charge{unauthorized}, ledger: heldAuth,
			want: []Mismatch{{Kind: HoldNotReleased, Reference: chargeID, Charge: chargeID, Status: "pending", Currency: "jpy", Issuer: Position{Held: 1000}}},
		},
		{
			name: "rest of a partial capture still held", charges: []charge{partial},
			ledger: slices.Concat(heldAuth, L(entry(capture, chargeID, authTxn, 600))),
			want: []Mismatch{{
				Kind: HoldNotReleased, Reference: chargeID, Charge: chargeID, Status: "successful", Currency: "jpy",
				Gateway: Position{Posted: 600}, Issuer: Position{Held: 400, Posted: 600},
			}},
		},
		{
			name: "failed charge posted", charges: []charge{failed}, ledger: posted,
			want: []Mismatch{{Kind: UnexpectedPosting, Reference: chargeID, Charge: chargeID, Status: "failed", Currency: "jpy", Issuer: Position{Posted: 1000}}},
		},
		{
			name: "open authorization posted (a lost capture answer)", charges: []charge{pendingAuth}, ledger: posted,
			want: []Mismatch{{
				Kind: UnexpectedPosting, Reference: chargeID, Charge: chargeID, Status: "pending", Currency: "jpy",
				Gateway: Position{Held: 1000}, Issuer: Position{Posted: 1000},
			}},
		},
		{
			name: "authorized twice", charges: []charge{pendingAuth},
			ledger: slices.Concat(heldAuth, L(entry(hold, chargeID, secondAuth, 1000))),
			want: []Mismatch{{
				Kind: AmountMismatch, Reference: chargeID, Charge: chargeID, Status: "pending", Currency: "jpy",
				Gateway: Position{Held: 1000}, Issuer: Position{Held: 2000},
			}},
		},
		{
			name: "other currency", charges: []charge{pendingAuth},
			ledger: []issuersim.LedgerEntry{{Kind: hold, Reference: chargeID, Transaction: authTxn, Amount: 1000, Currency: "usd"}},
			want: []Mismatch{{
				Kind: AmountMismatch, Reference: chargeID, Charge: chargeID, Status: "pending", Currency: "jpy",
				Gateway: Position{Held: 1000}, Issuer: Position{Held: 1000}, IssuerCurrency: "usd",
			}},
		},
		{
			name: "hold for an unknown charge", ledger: heldAuth,
			want: []Mismatch{{Kind: UnknownReference, Reference: chargeID, Currency: "jpy", Issuer: Position{Held: 1000}}},
		},
		{
			name: "hold without a reference", ledger: []issuersim.LedgerEntry{entry(hold, "", authTxn, 5)},
			want: []Mismatch{{Kind: UnknownReference, Transaction: authTxn, Currency: "jpy", Issuer: Position{Held: 5}}},
		},
		{
			name: "refund missing at the issuer", charges: []charge{captured}, refunds: []refund{closed}, ledger: posted,
			want: []Mismatch{{Kind: MissingRefund, Reference: refundID, Charge: chargeID, Status: "closed", Currency: "jpy", Gateway: Position{Credited: 400}}},
		},
		{
			name: "refund the gateway failed", charges: []charge{captured}, refunds: []refund{failedRefund}, ledger: credited,
			want: []Mismatch{{Kind: UnexpectedRefund, Reference: refundID, Charge: chargeID, Status: "failed", Currency: "jpy", Issuer: Position{Credited: 400}}},
		},
		{
			name: "refund the gateway does not know", charges: []charge{captured}, ledger: credited,
			want: []Mismatch{{Kind: UnknownReference, Reference: refundID, Currency: "jpy", Issuer: Position{Credited: 400}}},
		},
		{
			name: "refund amount", charges: []charge{captured}, ledger: credited,
			refunds: []refund{{id: refundID, charge: chargeID, status: "closed", currency: "jpy", amount: 300}},
			want: []Mismatch{{
				Kind: AmountMismatch, Reference: refundID, Charge: chargeID, Status: "closed", Currency: "jpy",
				Gateway: Position{Credited: 300}, Issuer: Position{Credited: 400},
			}},
		},
		{name: "authorization in flight", charges: []charge{inflight}, ledger: heldAuth, inFlight: 1},
		{name: "refund in flight", charges: []charge{captured}, refunds: []refund{pendingRefund}, ledger: credited, inFlight: 1},
		{name: "reversal queued", charges: []charge{failed}, ledger: heldAuth, unsettled: []string{chargeID}, inFlight: 1},
		{name: "unknown hold with a reversal queued", ledger: heldAuth, unsettled: []string{chargeID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSnapshot()
			for _, c := range tt.charges {
				s.charges[c.id] = &c
			}
			for _, f := range tt.refunds {
				s.refunds[f.id] = &f
			}
			for _, e := range tt.ledger {
				s.issuer.add(&e)
			}
			for _, ref := range tt.unsettled {
				s.unsettled[ref] = true
			}
			var r Report
			compare(s, &r)
			if diff := cmp.Diff(tt.want, r.Mismatches); diff != "" {
				t.Errorf("mismatches (-want +got):\n%s", diff)
			}
			if r.InFlight != tt.inFlight || r.Charges != len(tt.charges) || r.Refunds != len(tt.refunds) {
				t.Errorf("counts: %d in flight, %d charges, %d refunds", r.InFlight, r.Charges, r.Refunds)
			}
		})
	}
}
