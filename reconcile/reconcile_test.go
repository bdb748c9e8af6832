package reconcile_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/issuersim"
	"github.com/kessai/kessai/reconcile"
	"github.com/kessai/kessai/sqlstore"
)

// fakeLedger is an issuer ledger in memory, served in pages as the real
// one is.
type fakeLedger struct {
	mu      sync.Mutex
	entries []issuersim.LedgerEntry
	// onRead, when set, runs before each read of the whole ledger.
	onRead func()
}

func (l *fakeLedger) add(kind, ref, txn string, amount int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, issuersim.LedgerEntry{
		Seq: int64(len(l.entries) + 1), Kind: kind, Reference: ref, Transaction: txn, Amount: amount, Currency: "jpy",
	})
}

func (l *fakeLedger) Ledger(_ context.Context, q issuersim.LedgerQuery) ([]issuersim.LedgerEntry, error) {
	if q.Reference == "" && q.After == 0 && l.onRead != nil {
		l.onRead()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []issuersim.LedgerEntry
	for _, e := range l.entries {
		if e.Seq > q.After && (q.Reference == "" || e.Reference == q.Reference) && len(out) < q.Limit {
			out = append(out, e)
		}
	}
	return out, nil
}

// gateway writes charges and refunds into a gateway database.
type gateway struct {
	t    *testing.T
	db   *sqlstore.DB
	acct *kessai.Account
}

func newGateway(t *testing.T, dsn string) *gateway {
	db := dbtest.Open(t, dsn)
	acct := &kessai.Account{Email: "shop@example.com", Country: "JP", Currency: "jpy"}
	if err := (&sqlstore.AccountService{DB: db}).CreateAccount(context.Background(), acct); err != nil {
		t.Fatal(err)
	}
	return &gateway{t: t, db: db, acct: acct}
}

func (g *gateway) write(fn func(tx *sqlstore.Tx) error) {
	g.t.Helper()
	if err := g.db.Write(context.Background(), fn); err != nil {
		g.t.Fatal(err)
	}
}

// charge stores a charge of amount that ends as set makes it.
func (g *gateway) charge(amount int64, set func(c *kessai.Charge, now time.Time)) *kessai.Charge {
	g.t.Helper()
	now := time.Now()
	c := &kessai.Charge{
		ID: kessai.NewID(kessai.PrefixCharge, false), AccountID: g.acct.ID, Amount: amount, Currency: "jpy",
		Status: kessai.ChargePending, Capture: true, CreatedAt: kessai.Time{Time: now},
		ExpiresAt: kessai.NewTime(kessai.ChargeExpiry("JP", now)), Fees: kessai.DefaultFeeSchedule("JP"),
	}
	c.MarkInflight(kessai.InflightAuthorize, now)
	g.write(func(tx *sqlstore.Tx) error { return tx.InsertCharge(c) })
	if set != nil {
		set(c, now)
		g.write(func(tx *sqlstore.Tx) error { return tx.UpdateCharge(c) })
	}
	return c
}

func (g *gateway) refund(c *kessai.Charge, amount int64, status string) *kessai.Refund {
	g.t.Helper()
	f := &kessai.Refund{AccountID: g.acct.ID, Charge: c.ID, Amount: amount, Currency: "jpy", Status: status}
	g.write(func(tx *sqlstore.Tx) error { return tx.InsertRefund(f) })
	return f
}

// message records a request of the link for ref, pending.
func (g *gateway) message(ref, mti string) *kessai.NetworkMessage {
	g.t.Helper()
	m := &kessai.NetworkMessage{Reference: ref, MTI: mti, STAN: "000001", TerminalID: "KESSAI01", TransmittedAt: time.Now()}
	if err := g.db.CreateNetworkMessage(context.Background(), m); err != nil {
		g.t.Fatal(err)
	}
	return m
}

func authorized(c *kessai.Charge, now time.Time) { c.MarkAuthorized(now, "123456") }
func captured(c *kessai.Charge, now time.Time) {
	c.MarkAuthorized(now, "123456")
	c.MarkCaptured(c.Amount, now, "")
}
func failed(c *kessai.Charge, _ time.Time) { c.MarkFailed("timeout", "") }

func TestRun(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		g := newGateway(t, dsn)
		l := &fakeLedger{}

		// Agreeing records of every kind.
		open := g.charge(1000, authorized)
		l.add(issuersim.LedgerHold, open.ID, "a1", 1000)
		paid := g.charge(2000, captured)
		l.add(issuersim.LedgerHold, paid.ID, "a2", 2000)
		l.add(issuersim.LedgerCapture, paid.ID, "a2", 2000)
		f := g.refund(paid, 500, kessai.RefundClosed)
		l.add(issuersim.LedgerRefund, f.ID, "r1", 500)
		gone := g.charge(3000, failed)
		l.add(issuersim.LedgerHold, gone.ID, "a3", 3000)
		l.add(issuersim.LedgerRelease, gone.ID, "a3", 3000)
		declined := g.charge(4000, failed)

		// An authorization in flight, one whose reversal is queued, and one
		// the link is still waiting on.
		g.charge(5000, nil)
		reversing := g.charge(6000, failed)
		l.add(issuersim.LedgerHold, reversing.ID, "a6", 6000)
		m := g.message(reversing.ID, "0100")
		if _, err := g.db.AbandonNetworkMessage(ctx, m.ID, kessai.NetworkUnanswered, &kessai.NetworkReversal{Reason: "timeout", STAN: "000002", TransmittedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		waiting := g.charge(7000, failed)
		g.message(waiting.ID, "0100")

		r, err := reconcile.Run(ctx, g.db, l)
		if err != nil {
			t.Fatal(err)
		}
		want := &reconcile.Report{Charges: 7, Refunds: 1, References: 5, PendingReversals: 1, InFlight: 3}
		if diff := cmp.Diff(want, r); diff != "" {
			t.Fatalf("report (-want +got):\n%s", diff)
		}

		// Now mismatches: a failed charge still held, a refund the issuer
		// never made, a hold nobody knows.
		l.add(issuersim.LedgerHold, declined.ID, "a4", 4000)
		lost := g.refund(paid, 300, kessai.RefundClosed)
		l.add(issuersim.LedgerHold, "chrg_test_unknown", "a9", 99)
		r, err = reconcile.Run(ctx, g.db, l)
		if err != nil {
			t.Fatal(err)
		}
		wantMismatches := []reconcile.Mismatch{
			{Kind: reconcile.UnknownReference, Reference: "chrg_test_unknown", Currency: "jpy", Issuer: reconcile.Position{Held: 99}},
			{Kind: reconcile.HoldNotReleased, Reference: declined.ID, Charge: declined.ID, Status: "failed", Currency: "jpy", Issuer: reconcile.Position{Held: 4000}},
			{Kind: reconcile.MissingRefund, Reference: lost.ID, Charge: paid.ID, Status: "closed", Currency: "jpy", Gateway: reconcile.Position{Credited: 300}},
		}
		sortByRef(wantMismatches)
		if diff := cmp.Diff(wantMismatches, r.Mismatches); diff != "" {
			t.Errorf("mismatches (-want +got):\n%s", diff)
		}
		var out bytes.Buffer
		if err := r.WriteText(&out); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"pending reversals: 1\n", "in flight: 3\n", "mismatches: 3\n",
			"hold_not_released  " + declined.ID + "  failed  jpy  gateway: held 0 posted 0 credited 0  issuer: held 4000 posted 0 credited 0\n",
			"missing_refund  " + lost.ID + " (charge " + paid.ID + ")  closed  jpy"} {
			if !strings.Contains(out.String(), s) {
				t.Errorf("report lacks %q:\n%s", s, out.String())
			}
		}
	})
}

// TestRunRechecks checks that a mismatch seen while a payment moves on
// between the two reads is read again and dropped.
func TestRunRechecks(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		g := newGateway(t, dsn)
		l := &fakeLedger{}
		c := g.charge(1000, authorized)
		l.add(issuersim.LedgerHold, c.ID, "a1", 1000)
		// Between the gateway's read and the ledger's, the merchant voids
		// the charge: the first pass sees a pending charge without hold.
		l.onRead = func() {
			l.onRead = nil
			c.MarkReversed(time.Now())
			g.write(func(tx *sqlstore.Tx) error { return tx.UpdateCharge(c) })
			l.add(issuersim.LedgerRelease, c.ID, "a1", 1000)
		}
		r, err := reconcile.Run(ctx, g.db, l)
		if err != nil {
			t.Fatal(err)
		}
		if !r.OK() {
			t.Errorf("mismatches: %+v", r.Mismatches)
		}
	})
}

func TestWait(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		g := newGateway(t, dsn)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := reconcile.Wait(ctx, g.db, 10*time.Millisecond); err != nil {
			t.Fatalf("empty queue: %v", err)
		}
		m := g.message("chrg_test_1", "0100")
		short, cancelShort := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancelShort()
		err := reconcile.Wait(short, g.db, 10*time.Millisecond)
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "1 requests in flight") {
			t.Fatalf("with a request pending: %v", err)
		}
		rev := &kessai.NetworkReversal{Reason: "timeout", STAN: "000002", TransmittedAt: time.Now()}
		if _, err := g.db.AbandonNetworkMessage(ctx, m.ID, kessai.NetworkUnanswered, rev); err != nil {
			t.Fatal(err)
		}
		go func() {
			time.Sleep(50 * time.Millisecond)
			g.db.FinishReversal(context.Background(), rev.ID, kessai.ReversalDone, "00")
		}()
		if err := reconcile.Wait(ctx, g.db, 10*time.Millisecond); err != nil {
			t.Fatalf("after the reversal: %v", err)
		}
	})
}

func sortByRef(ms []reconcile.Mismatch) {
	slices.SortFunc(ms, func(a, b reconcile.Mismatch) int { return strings.Compare(a.Reference, b.Reference) })
}
