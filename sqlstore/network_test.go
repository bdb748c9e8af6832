package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
)

func TestReserveSTANs(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		var got []int
		for _, n := range []int{100, 100, 999700, 150} {
			first, err := db.ReserveSTANs(ctx, "T1", n)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, first)
		}
		// The last block would pass 999999: it starts again at 1.
		if diff := cmp.Diff([]int{1, 101, 201, 1}, got); diff != "" {
			t.Errorf("first STANs (-want +got):\n%s", diff)
		}
		// Terminals count separately.
		if first, err := db.ReserveSTANs(ctx, "T2", 10); err != nil || first != 1 {
			t.Errorf("other terminal: %d, %v", first, err)
		}
		if _, err := db.ReserveSTANs(ctx, "T1", 0); err == nil {
			t.Error("empty block reserved")
		}
	})
}

func newMessage(ref string) *kessai.NetworkMessage {
	return &kessai.NetworkMessage{
		Reference: ref, MTI: "0100", ProcessingCode: "000000", STAN: "000001",
		TransmittedAt: time.Date(2026, 11, 22, 4, 0, 0, 0, time.UTC), AcquirerID: "4100001",
		TerminalID: "T1", MerchantID: "M1", RRN: "632604000001", Amount: 1000, Currency: "392", LastDigits: "4242",
	}
}

func TestNetworkMessages(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		m := newMessage("chrg_1")
		if err := db.CreateNetworkMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		if m.ID == "" || m.Status != kessai.NetworkPending || m.CreatedAt.IsZero() {
			t.Fatalf("created message not filled in: %+v", m)
		}
		got, err := db.FindNetworkMessage(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(m, got); diff != "" {
			t.Errorf("stored message (-want +got):\n%s", diff)
		}

		ok, err := db.AnswerNetworkMessage(ctx, m.ID, "00", "A1B2C3")
		if err != nil || !ok {
			t.Fatalf("answer: %v, %v", ok, err)
		}
		// A second answer, or giving up afterwards, changes nothing.
		if ok, _ := db.AnswerNetworkMessage(ctx, m.ID, "05", ""); ok {
			t.Error("answered twice")
		}
		if ok, _ := db.AbandonNetworkMessage(ctx, m.ID, kessai.NetworkUnanswered, &kessai.NetworkReversal{Reason: "timeout"}); ok {
			t.Error("abandoned an answered message")
		}
		msgs, err := db.FindNetworkMessages(ctx, "chrg_1")
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 1 || msgs[0].Status != kessai.NetworkAnswered || msgs[0].ResponseCode != "00" || msgs[0].ApprovalCode != "A1B2C3" {
			t.Errorf("after answer: %+v", msgs)
		}
		if _, err := db.FindNetworkMessage(ctx, "nmsg_none"); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("missing message: %v", err)
		}
		if revs, _ := db.ListReversals(ctx, ""); len(revs) != 0 {
			t.Errorf("reversals queued: %d", len(revs))
		}
	})
}

func TestReversalQueue(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		m := newMessage("chrg_2")
		if err := db.CreateNetworkMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		// Nothing is stale yet when the cut-off is before it.
		if stale, _ := db.StaleNetworkMessages(ctx, m.CreatedAt, 10); len(stale) != 0 {
			t.Errorf("stale before cut-off: %d", len(stale))
		}
		stale, err := db.StaleNetworkMessages(ctx, m.CreatedAt.Add(time.Second), 10)
		if err != nil || len(stale) != 1 {
			t.Fatalf("stale: %d, %v", len(stale), err)
		}

		sent := time.Date(2026, 11, 22, 4, 0, 30, 0, time.UTC)
		rev := &kessai.NetworkReversal{Reason: "timeout", STAN: "000002", TransmittedAt: sent}
		ok, err := db.AbandonNetworkMessage(ctx, m.ID, kessai.NetworkUnanswered, rev)
		if err != nil || !ok {
			t.Fatalf("abandon: %v, %v", ok, err)
		}
		if rev.ID == "" || rev.Status != kessai.ReversalQueued || rev.MessageID != m.ID {
			t.Fatalf("queued reversal not filled in: %+v", rev)
		}
		// Queuing again for the same message returns the same reversal.
		again, err := db.QueueReversal(ctx, &kessai.NetworkReversal{MessageID: m.ID, Reason: "void", STAN: "000009", TransmittedAt: sent})
		if err != nil {
			t.Fatal(err)
		}
		if again.ID != rev.ID || again.Reason != "timeout" || again.STAN != "000002" {
			t.Errorf("second queue = %+v, want the first reversal", again)
		}

		due, err := db.DueReversals(ctx, time.Now().Add(time.Second), 10)
		if err != nil || len(due) != 1 {
			t.Fatalf("due: %d, %v", len(due), err)
		}
		if due[0].Message == nil || due[0].Message.ID != m.ID || due[0].Message.Status != kessai.NetworkUnanswered {
			t.Errorf("due reversal's message: %+v", due[0].Message)
		}
		if diff := cmp.Diff(sent, due[0].TransmittedAt); diff != "" {
			t.Errorf("transmitted at: %s", diff)
		}

		next := time.Now().Add(time.Hour)
		if ok, err := db.ClaimReversal(ctx, rev.ID, 0, next); err != nil || !ok {
			t.Fatalf("claim: %v, %v", ok, err)
		}
		// A second claim with the old attempt count loses.
		if ok, _ := db.ClaimReversal(ctx, rev.ID, 0, next); ok {
			t.Error("claimed twice")
		}
		if due, _ := db.DueReversals(ctx, time.Now(), 10); len(due) != 0 {
			t.Errorf("due after claim: %d", len(due))
		}
		if err := db.FinishReversal(ctx, rev.ID, kessai.ReversalDone, "00"); err != nil {
			t.Fatal(err)
		}
		done, err := db.ListReversals(ctx, kessai.ReversalDone)
		if err != nil || len(done) != 1 {
			t.Fatalf("done: %d, %v", len(done), err)
		}
		want := &kessai.NetworkReversal{ID: rev.ID, MessageID: m.ID, Reason: "timeout", STAN: "000002", TransmittedAt: sent,
			Status: kessai.ReversalDone, Attempts: 1, ResponseCode: "00"}
		if diff := cmp.Diff(want, done[0], cmpopts.IgnoreFields(kessai.NetworkReversal{}, "Message", "NextAttemptAt", "CreatedAt", "DoneAt")); diff != "" {
			t.Errorf("finished reversal (-want +got):\n%s", diff)
		}
		if done[0].DoneAt.IsZero() {
			t.Error("DoneAt not set")
		}
		if queued, _ := db.ListReversals(ctx, kessai.ReversalQueued); len(queued) != 0 {
			t.Errorf("still queued: %d", len(queued))
		}
	})
}
