package sqlstore_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
)

// mustCapturedCharge stores a captured charge of 100000 THB.
func mustCapturedCharge(t *testing.T, db *sqlstore.DB, acct *kessai.Account) *kessai.Charge {
	t.Helper()
	c := testCharge(acct, t0)
	c.MarkAuthorized(t0, "1")
	c.MarkCaptured(c.Amount, t0, "")
	mustWrite(t, db, func(tx *sqlstore.Tx) error { return tx.InsertCharge(c) })
	return c
}

func TestRefundStore(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		acct := mustAccount(t, db)
		c := mustCapturedCharge(t, db, acct)

		// Three refunds: one closed, one failed, one still pending. Each
		// reserves its amount on the charge in the same write.
		refund := func(amount int64, status string) *kessai.Refund {
			f := &kessai.Refund{AccountID: acct.ID, Charge: c.ID, Amount: amount, Currency: c.Currency, Status: kessai.RefundPending,
				Metadata: kessai.Metadata{"reason": "damaged"}}
			mustWrite(t, db, func(tx *sqlstore.Tx) error {
				cur, err := tx.FindCharge(acct.ID, false, c.ID)
				if err != nil {
					return err
				}
				if err := cur.CheckRefund(amount); err != nil {
					return err
				}
				if err := tx.InsertRefund(f); err != nil {
					return err
				}
				cur.RefundedAmount += amount
				return tx.UpdateCharge(cur)
			})
			if status == kessai.RefundPending {
				return f
			}
			mustWrite(t, db, func(tx *sqlstore.Tx) error {
				cur, err := tx.FindCharge(acct.ID, false, c.ID)
				if err != nil {
					return err
				}
				f.Status = status
				if status == kessai.RefundFailed {
					cur.RefundedAmount -= amount
				} else {
					trxn := &kessai.Transaction{AccountID: acct.ID, Direction: kessai.Debit, Key: kessai.TransactionRefund, Origin: f.ID, Amount: amount, Currency: f.Currency}
					if err := tx.InsertTransaction(trxn); err != nil {
						return err
					}
					f.Transaction = &trxn.ID
				}
				if err := tx.UpdateRefund(f); err != nil {
					return err
				}
				return tx.UpdateCharge(cur)
			})
			return f
		}
		closed := refund(30000, kessai.RefundClosed)
		failed := refund(10000, kessai.RefundFailed)
		pending := refund(20000, kessai.RefundPending)

		got, err := db.FindCharge(ctx, acct.ID, false, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.RefundedAmount != 50000 || got.Status != kessai.ChargeSuccessful || !got.Refundable {
			t.Errorf("charge: refunded %d status %s refundable %v", got.RefundedAmount, got.Status, got.Refundable)
		}
		if diff := cmp.Diff([]string{closed.ID, pending.ID}, ids(got.Refunds.Data, func(f *kessai.Refund) string { return f.ID })); diff != "" {
			t.Errorf("nested refunds (-want +got):\n%s", diff)
		}
		if got.Refunds.Total != 2 {
			t.Errorf("nested total = %d", got.Refunds.Total)
		}

		r, err := db.FindRefund(ctx, acct.ID, false, c.ID, closed.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != kessai.RefundClosed || r.Transaction == nil || r.Location != "/charges/"+c.ID+"/refunds/"+closed.ID || r.Metadata["reason"] != "damaged" {
			t.Errorf("refund = %+v", r)
		}
		if _, err := db.FindRefund(ctx, acct.ID, false, c.ID, failed.ID); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("failed refund found: %v", err)
		}
		if _, err := db.FindRefund(ctx, acct.ID, false, "chrg_test_other", closed.ID); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("refund under another charge: %v", err)
		}

		l, err := db.ListRefunds(ctx, acct.ID, false, c.ID, kessai.ListParams{Order: kessai.ReverseChronological})
		if err != nil {
			t.Fatal(err)
		}
		if l.Total != 2 || l.Location != "/charges/"+c.ID+"/refunds" {
			t.Errorf("list = total %d location %s", l.Total, l.Location)
		}
		if _, err := db.ListRefunds(ctx, acct.ID, false, "chrg_test_nope", kessai.ListParams{}); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("refunds of a missing charge: %v", err)
		}

		p, err := db.PendingRefunds(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != 1 || p[0].ID != pending.ID {
			t.Errorf("pending = %v", p)
		}

		// No more than the captured amount can be reserved.
		err = db.Write(ctx, func(tx *sqlstore.Tx) error {
			cur, err := tx.FindCharge(acct.ID, false, c.ID)
			if err != nil {
				return err
			}
			return cur.CheckRefund(50001)
		})
		if kessai.ErrorCode(err) != kessai.EFailedRefund {
			t.Errorf("over-refund: %v", err)
		}
	})
}
