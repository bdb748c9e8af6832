package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
)

func TestTransactionsAndBalance(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		acct := mustAccount(t, db)
		now := t0.Add(24 * time.Hour)
		entries := []*kessai.Transaction{
			// Settled capture, unsettled capture, a refund, a yen capture, a
			// live one.
			{Direction: kessai.Credit, Key: kessai.TransactionChargeCapture, Origin: "chrg_test_1", Amount: 96094, Currency: "thb", TransferableAt: kessai.Time{Time: t0}, CreatedAt: kessai.Time{Time: t0}},
			{Direction: kessai.Credit, Key: kessai.TransactionChargeCapture, Origin: "chrg_test_2", Amount: 48047, Currency: "thb", TransferableAt: kessai.Time{Time: now.Add(time.Hour)}, CreatedAt: kessai.Time{Time: t0.Add(time.Hour)}},
			{Direction: kessai.Debit, Key: kessai.TransactionRefund, Origin: "rfnd_test_1", Amount: 10000, Currency: "thb", CreatedAt: kessai.Time{Time: t0.Add(2 * time.Hour)}},
			{Direction: kessai.Credit, Key: kessai.TransactionChargeCapture, Origin: "chrg_test_3", Amount: 960, Currency: "jpy", CreatedAt: kessai.Time{Time: t0}},
			{Livemode: true, Direction: kessai.Credit, Key: kessai.TransactionChargeCapture, Origin: "chrg_1", Amount: 5, Currency: "thb", CreatedAt: kessai.Time{Time: t0}},
		}
		mustWrite(t, db, func(tx *sqlstore.Tx) error {
			for _, e := range entries {
				e.AccountID = acct.ID
				if err := tx.InsertTransaction(e); err != nil {
					return err
				}
			}
			return nil
		})
		err := db.Write(ctx, func(tx *sqlstore.Tx) error {
			return tx.InsertTransaction(&kessai.Transaction{AccountID: acct.ID, Direction: "sideways", Amount: 1, Currency: "thb"})
		})
		if err == nil {
			t.Error("bad direction stored")
		}

		got, err := db.FindTransaction(ctx, acct.ID, false, entries[2].ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Type != kessai.Debit || got.Source != "rfnd_test_1" || !got.TransferableAt.Equal(t0.Add(2*time.Hour)) || got.Location != "/transactions/"+entries[2].ID {
			t.Errorf("transaction = %+v", got)
		}
		l, err := db.ListTransactions(ctx, acct.ID, false, kessai.ListParams{})
		if err != nil {
			t.Fatal(err)
		}
		if l.Total != 4 || l.Location != "/transactions" {
			t.Errorf("transactions = total %d", l.Total)
		}

		balances, err := db.Balances(ctx, acct.ID, false, now)
		if err != nil {
			t.Fatal(err)
		}
		type bal struct {
			Currency            string
			Total, Transferable int64
		}
		var gotB []bal
		for _, b := range balances {
			gotB = append(gotB, bal{b.Currency, b.Total, b.Transferable})
		}
		wantB := []bal{{"jpy", 960, 960}, {"thb", 96094 + 48047 - 10000, 96094 - 10000}}
		if diff := cmp.Diff(wantB, gotB); diff != "" {
			t.Errorf("balances (-want +got):\n%s", diff)
		}
		b, err := db.Balance(ctx, acct.ID, false, "THB", now.Add(2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if b.Total != 134141 || b.Transferable != 134141 || b.Location != "/balance" || b.Object != "balance" {
			t.Errorf("settled thb balance = %+v", b)
		}
		if b, _ := db.Balance(ctx, acct.ID, false, "usd", now); b.Total != 0 || b.Currency != "usd" {
			t.Errorf("usd balance = %+v", b)
		}
		if b, _ := db.Balance(ctx, acct.ID, true, "thb", now); b.Total != 5 {
			t.Errorf("live balance = %+v", b)
		}
	})
}
