package payment_test

import (
	"context"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai"
)

func TestRefunds(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		ch := e.charge(t, "4242424242424242", 100000, true)
		refund := func(amount int64) (*kessai.Refund, error) {
			return e.svc.CreateRefund(ctx, e.auth, ch.ID, &kessai.RefundInput{Amount: amount, Metadata: kessai.Metadata{"reason": "returned"}})
		}
		var ids []string
		for _, amt := range []int64{30000, 50000, 20000} {
			f, err := refund(amt)
			if err != nil {
				t.Fatalf("refund %d: %v", amt, err)
			}
			if f.Status != kessai.RefundClosed || f.Transaction == nil || f.Amount != amt || f.Charge != ch.ID || f.Currency != "thb" {
				t.Errorf("refund = %+v", f)
			}
			ids = append(ids, f.ID)
		}
		if _, err := refund(1); code(err) != kessai.EFailedRefund {
			t.Errorf("refund past the captured amount: %v", err)
		}
		got, _ := e.svc.FindCharge(ctx, e.auth, ch.ID)
		if got.RefundedAmount != 100000 || got.Status != kessai.ChargeSuccessful || got.Refundable || got.Refunds.Total != 3 {
			t.Errorf("charge after refunds: refunded %d status %s refundable %v refunds %d", got.RefundedAmount, got.Status, got.Refundable, got.Refunds.Total)
		}
		l, err := e.svc.ListRefunds(ctx, e.auth, ch.ID, kessai.ListParams{})
		if err != nil {
			t.Fatal(err)
		}
		var listed []string
		for _, f := range l.Data {
			listed = append(listed, f.ID)
		}
		if diff := cmp.Diff(ids, listed); diff != "" {
			t.Errorf("refunds (-want +got):\n%s", diff)
		}
		if f, err := e.svc.FindRefund(ctx, e.auth, ch.ID, ids[1]); err != nil || f.Amount != 50000 || f.Metadata["reason"] != "returned" {
			t.Errorf("FindRefund = %+v, %v", f, err)
		}
		bal, _ := e.svc.Balance(ctx, e.auth)
		if bal.Total != 96094-100000 {
			t.Errorf("balance = %d", bal.Total)
		}
		// Refund events belong to the refunds, not to the charge.
		if diff := cmp.Diff([]string{kessai.EventChargeCreate}, e.eventKeys(t, ch.ID)); diff != "" {
			t.Errorf("charge events (-want +got):\n%s", diff)
		}
		all, _ := e.svc.ListEvents(ctx, e.auth, kessai.ListParams{})
		if all.Total != 4 {
			t.Errorf("events = %d, want charge.create and 3 refund.create", all.Total)
		}

		// Uncaptured and unknown charges cannot be refunded.
		auth := e.charge(t, "4242424242424242", 100000, false)
		if _, err := e.svc.CreateRefund(ctx, e.auth, auth.ID, &kessai.RefundInput{Amount: 100}); code(err) != kessai.EFailedRefund {
			t.Errorf("refund of an authorization: %v", err)
		}
		if _, err := e.svc.CreateRefund(ctx, e.auth, "chrg_test_nope", &kessai.RefundInput{Amount: 100}); code(err) != kessai.ENotFound {
			t.Errorf("refund of an unknown charge: %v", err)
		}
	})
}

func TestRefundDeclinedReleasesAmount(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		ch := e.charge(t, "4242424242424242", 100000, true)
		e.link.onRefund = func(*kessai.NetworkRefundRequest) (*kessai.NetworkResult, error) {
			return &kessai.NetworkResult{ResponseCode: "05", FailureCode: "payment_rejected"}, nil
		}
		if _, err := e.svc.CreateRefund(ctx, e.auth, ch.ID, &kessai.RefundInput{Amount: 100000}); code(err) != kessai.EFailedRefund {
			t.Fatalf("declined refund: %v", err)
		}
		got, _ := e.svc.FindCharge(ctx, e.auth, ch.ID)
		if got.RefundedAmount != 0 || got.Refunds.Total != 0 || !got.Refundable {
			t.Errorf("after a declined refund: refunded %d refunds %d", got.RefundedAmount, got.Refunds.Total)
		}
		e.link.onRefund = nil
		if _, err := e.svc.CreateRefund(ctx, e.auth, ch.ID, &kessai.RefundInput{Amount: 100000}); err != nil {
			t.Errorf("refund after the decline: %v", err)
		}
	})
}

// TestConcurrentRefunds checks that refunds racing for one charge never
// exceed its captured amount.
func TestConcurrentRefunds(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		ch := e.charge(t, "4242424242424242", 100000, true)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var refunded int64
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if f, err := e.svc.CreateRefund(ctx, e.auth, ch.ID, &kessai.RefundInput{Amount: 30000}); err == nil {
					mu.Lock()
					refunded += f.Amount
					mu.Unlock()
				} else if c := code(err); c != kessai.EFailedRefund && c != kessai.EConflict {
					t.Errorf("refund: %v", err)
				}
			}()
		}
		wg.Wait()
		got, _ := e.svc.FindCharge(ctx, e.auth, ch.ID)
		if refunded > 100000 || got.RefundedAmount != refunded || refunded < 30000 {
			t.Errorf("refunded %d, charge says %d", refunded, got.RefundedAmount)
		}
	})
}
