package sqlstore_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
)

// TestEventHooks: Inserted runs while the event is not yet visible,
// Committed once it is; a rolled-back event is never Committed.
func TestEventHooks(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		acct := mustAccount(t, db)
		var mu sync.Mutex
		var log []string
		visible := func(id string) bool {
			_, err := db.FindEvent(ctx, acct.ID, false, id)
			return err == nil
		}
		db.OnEvents(sqlstore.EventHooks{
			Inserted: func(id string) {
				mu.Lock()
				defer mu.Unlock()
				log = append(log, "inserted "+id)
			},
			Committed: func(id string) {
				mu.Lock()
				defer mu.Unlock()
				if !visible(id) {
					t.Errorf("event %s not visible when Committed ran", id)
				}
				log = append(log, "committed "+id)
			},
		})
		insert := func(objectID string, fail bool) string {
			ev, err := kessai.NewEvent(kessai.EventChargeCreate, acct.ID, false, objectID, map[string]any{"id": objectID}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			err = db.Write(ctx, func(tx *sqlstore.Tx) error {
				if err := tx.InsertEvent(ev); err != nil {
					return err
				}
				if visible(ev.ID) {
					t.Errorf("event %s visible before its commit", ev.ID)
				}
				if fail {
					return errors.New("roll back")
				}
				return nil
			})
			if (err != nil) != fail {
				t.Fatalf("write: %v", err)
			}
			return ev.ID
		}
		a := insert("chrg_test_1", false)
		b := insert("chrg_test_2", true)
		want := []string{"inserted " + a, "committed " + a, "inserted " + b}
		mu.Lock()
		defer mu.Unlock()
		if !slices.Equal(log, want) {
			t.Errorf("hooks ran %q, want %q", log, want)
		}
	})
}
