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

func TestEventStore(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		acct := mustAccount(t, db)
		other := mustAccount(t, db)
		var want []string
		for i, key := range []string{kessai.EventChargeCreate, kessai.EventChargeCapture, kessai.EventRefundCreate} {
			mustWrite(t, db, func(tx *sqlstore.Tx) error {
				e, err := kessai.NewEvent(key, acct.ID, false, "chrg_test_1", map[string]any{"object": "charge", "id": "chrg_test_1", "n": i}, t0.Add(time.Duration(i)*time.Second))
				if err != nil {
					return err
				}
				want = append(want, e.ID)
				return tx.InsertEvent(e)
			})
		}
		mustWrite(t, db, func(tx *sqlstore.Tx) error {
			// Another account's event, and one with no data.
			return tx.InsertEvent(&kessai.Event{AccountID: other.ID, Key: kessai.EventCustomerCreate, ObjectID: "cust_test_1", CreatedAt: kessai.Time{Time: t0}})
		})

		e, err := db.FindEvent(ctx, acct.ID, false, want[1])
		if err != nil {
			t.Fatal(err)
		}
		if e.Key != kessai.EventChargeCapture || e.Location != "/events/"+want[1] || string(e.Data) != `{"id":"chrg_test_1","n":1,"object":"charge"}` || !e.CreatedAt.Equal(t0.Add(time.Second)) {
			t.Errorf("event = %+v data %s", e, e.Data)
		}
		if _, err := db.FindEvent(ctx, other.ID, false, want[1]); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("other account's event: %v", err)
		}

		l, err := db.ListEvents(ctx, acct.ID, false, kessai.ListParams{Order: kessai.ReverseChronological})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{want[2], want[1], want[0]}, ids(l.Data, func(e *kessai.Event) string { return e.ID })); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}

		// The feed: every account's events in commit order, resumable.
		all, err := db.EventsAfter(ctx, "", false, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 4 {
			t.Fatalf("feed has %d events", len(all))
		}
		for i := 1; i < len(all); i++ {
			if all[i].Seq <= all[i-1].Seq {
				t.Errorf("seq not increasing: %d then %d", all[i-1].Seq, all[i].Seq)
			}
		}
		if string(all[3].Data) != "{}" {
			t.Errorf("empty data stored as %s", all[3].Data)
		}
		rest, err := db.EventsAfter(ctx, acct.ID, false, all[0].Seq, 10)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want[1:], ids(rest, func(e *kessai.Event) string { return e.ID })); diff != "" {
			t.Errorf("account feed after the first (-want +got):\n%s", diff)
		}
	})
}
