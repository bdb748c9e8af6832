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

func TestAuthenticationStore(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		a := &kessai.Authentication{ID: "paym_test_1", ChargeID: "chrg_test_1", AccountID: "acct_test_a",
			State: kessai.AuthPending, ServerTransID: "8a880dc0-d2d2-4067-bcb1-b08d1690b26e"}
		err := db.Write(ctx, func(tx *sqlstore.Tx) error {
			a.Deadline = tx.Now.Add(time.Minute)
			if err := tx.InsertAuthentication(a); err != nil {
				return err
			}
			return tx.AddAuthenticationMessages(&kessai.AuthenticationMessage{AuthenticationID: a.ID, Type: "AReq", Body: []byte(`{"acctNumber":"411111******1111"}`)})
		})
		if err != nil {
			t.Fatal(err)
		}
		stale := *a
		// A step: the ARes asks for a challenge, and the CAVV-less record
		// commits with the message.
		a.State, a.Flow, a.TransStatus, a.ACSURL = kessai.AuthChallengeRequired, "challenge", "C", "https://acs.example/creq"
		err = db.Write(ctx, func(tx *sqlstore.Tx) error {
			if err := tx.UpdateAuthentication(a, nil); err != nil {
				return err
			}
			return tx.AddAuthenticationMessages(&kessai.AuthenticationMessage{AuthenticationID: a.ID, Type: "ARes", Inbound: true, Body: []byte(`{"transStatus":"C"}`)})
		})
		if err != nil {
			t.Fatal(err)
		}
		// A stale copy (a double submit) changes nothing.
		stale.State = kessai.AuthTimeout
		err = db.Write(ctx, func(tx *sqlstore.Tx) error { return tx.UpdateAuthentication(&stale, nil) })
		if kessai.ErrorCode(err) != kessai.EConflict {
			t.Fatalf("stale update: %v, want conflict", err)
		}
		// The final step stores the sealed CAVV; a later update without one
		// keeps it.
		a.State, a.ECI = kessai.AuthAuthenticated, "05"
		if err := db.Write(ctx, func(tx *sqlstore.Tx) error { return tx.UpdateAuthentication(a, []byte{1, 2, 3}) }); err != nil {
			t.Fatal(err)
		}
		a.ChallengeCancel = "01"
		if err := db.Write(ctx, func(tx *sqlstore.Tx) error { return tx.UpdateAuthentication(a, nil) }); err != nil {
			t.Fatal(err)
		}
		got, cavv, err := db.FindAuthenticationByTransID(ctx, a.ServerTransID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(a, got); diff != "" {
			t.Errorf("stored (-want +got):\n%s", diff)
		}
		if string(cavv) != "\x01\x02\x03" {
			t.Errorf("sealed cavv %x", cavv)
		}
		if got, _, err := db.FindChargeAuthentication(ctx, "chrg_test_1"); err != nil || got.ID != a.ID {
			t.Errorf("by charge: %v %v", got, err)
		}
		if _, _, err := db.FindAuthentication(ctx, "paym_test_none"); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("unknown: %v", err)
		}
		msgs, err := db.AuthenticationMessages(ctx, a.ID)
		if err != nil || len(msgs) != 2 || msgs[0].Type != "AReq" || msgs[1].Type != "ARes" || !msgs[1].Inbound {
			t.Errorf("messages %v %v", msgs, err)
		}
		// Only open authentications past their deadline are overdue.
		b := &kessai.Authentication{ID: "paym_test_2", ChargeID: "chrg_test_2", AccountID: "acct_test_a",
			State: kessai.AuthInChallenge, ServerTransID: "b"}
		err = db.Write(ctx, func(tx *sqlstore.Tx) error {
			b.Deadline = tx.Now.Add(-time.Second)
			return tx.InsertAuthentication(b)
		})
		if err != nil {
			t.Fatal(err)
		}
		due, err := db.OverdueAuthentications(ctx, time.Now().Add(2*time.Minute), 10)
		if err != nil || len(due) != 1 || due[0].ID != b.ID {
			t.Errorf("overdue %v %v", due, err)
		}
	})
}

// TestSweepThreeDSMessages: the retention sweep deletes the raw messages
// recorded before the cut-off, a batch at a time, and keeps the
// authentication record.
func TestSweepThreeDSMessages(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		a := &kessai.Authentication{ID: "paym_test_1", ChargeID: "chrg_test_1", AccountID: "acct_test_a",
			State: kessai.AuthPending, ServerTransID: "8a880dc0-d2d2-4067-bcb1-b08d1690b26e"}
		err := db.Write(ctx, func(tx *sqlstore.Tx) error {
			a.Deadline = tx.Now.Add(time.Minute)
			if err := tx.InsertAuthentication(a); err != nil {
				return err
			}
			for _, typ := range []string{"AReq", "ARes", "RReq"} {
				if err := tx.AddAuthenticationMessages(&kessai.AuthenticationMessage{AuthenticationID: a.ID, Type: typ, Body: []byte(`{}`)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := db.SweepThreeDSMessages(ctx, time.Now().Add(-time.Hour), 10); err != nil || n != 0 {
			t.Fatalf("sweep before the messages: %d, %v", n, err)
		}
		after := time.Now().Add(time.Second)
		for _, want := range []int{2, 1, 0} {
			if n, err := db.SweepThreeDSMessages(ctx, after, 2); err != nil || n != want {
				t.Fatalf("sweep: %d, %v; want %d", n, err, want)
			}
		}
		if msgs, err := db.AuthenticationMessages(ctx, a.ID); err != nil || len(msgs) != 0 {
			t.Errorf("messages after the sweep: %d, %v", len(msgs), err)
		}
		if _, _, err := db.FindAuthentication(ctx, a.ID); err != nil {
			t.Errorf("the authentication went with its messages: %v", err)
		}
	})
}
