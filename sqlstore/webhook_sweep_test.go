package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
)

// TestSweepWebhooks: attempts and finished deliveries older than the cut
// are deleted; pending deliveries and newer rows stay.
func TestSweepWebhooks(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		acct := mustAccount(t, db)
		start := time.Now()
		var ds []*sqlstore.Delivery
		for i, uri := range []string{"https://a.example/done", "https://a.example/pending", "https://a.example/new"} {
			ds = append(ds, &sqlstore.Delivery{EventID: "evnt_test_" + string(rune('a'+i)), EventSeq: int64(i + 1), AccountID: acct.ID, URI: uri, Claimed: true})
		}
		if err := db.FanOut(ctx, ds, 0, "w", time.Minute); err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return start.Add(-48 * time.Hour) }
		if err := db.FinishAttempt(ctx, ds[0], "w", sqlstore.Attempt{Status: 200}, sqlstore.DeliveryDelivered, db.Now()); err != nil {
			t.Fatal(err)
		}
		if err := db.FinishAttempt(ctx, ds[1], "w", sqlstore.Attempt{Status: 500}, sqlstore.DeliveryPending, db.Now()); err != nil {
			t.Fatal(err)
		}
		db.Now = time.Now
		if err := db.FinishAttempt(ctx, ds[2], "w", sqlstore.Attempt{Status: 200}, sqlstore.DeliveryDelivered, db.Now()); err != nil {
			t.Fatal(err)
		}
		n, err := db.SweepWebhooks(ctx, start.Add(-24*time.Hour), 1000)
		if err != nil || n != 3 {
			t.Fatalf("sweep = %d, %v; want 3 rows (two old attempts, one delivered delivery)", n, err)
		}
		count := func(q string) (c int) {
			db.QueryRowContext(ctx, q).Scan(&c)
			return c
		}
		if a, d := count(`SELECT COUNT(*) FROM webhook_attempts`), count(`SELECT COUNT(*) FROM webhook_deliveries`); a != 1 || d != 2 {
			t.Errorf("after the sweep: %d attempts, %d deliveries; want 1 and 2", a, d)
		}
		var state string
		db.QueryRowContext(ctx, `SELECT state FROM webhook_deliveries WHERE uri = 'https://a.example/pending'`).Scan(&state)
		if state != sqlstore.DeliveryPending {
			t.Errorf("the old pending delivery is %q, want kept pending", state)
		}
		if n, err := db.SweepWebhooks(ctx, start.Add(-24*time.Hour), 1000); err != nil || n != 0 {
			t.Errorf("second sweep = %d, %v; want 0", n, err)
		}
	})
}
