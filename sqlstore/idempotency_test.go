package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
)

func TestIdempotencyStore(t *testing.T) {
	const ttl, lease = 24 * time.Hour, time.Minute
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := sqlstore.NewIdempotencyStore(db)
		now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		db.Now = func() time.Time { return now }
		k := kessai.IdempotencyKey{AccountID: "acct_test_1", Livemode: false, Key: "order-1"}

		rec, claimed, err := s.Claim(ctx, k, "h1", ttl, lease)
		if err != nil || !claimed || rec.Claim == "" {
			t.Fatalf("first Claim = %+v, %v, %v; want a claim", rec, claimed, err)
		}
		first := rec.Claim

		t.Run("RunningKeyIsNotClaimedAgain", func(t *testing.T) {
			rec, claimed, err := s.Claim(ctx, k, "h1", ttl, lease)
			if err != nil || claimed || rec.Status != 0 || rec.RequestHash != "h1" {
				t.Fatalf("Claim = %+v, %v, %v; want the running record", rec, claimed, err)
			}
		})
		t.Run("OtherModeAndAccountAreOtherKeys", func(t *testing.T) {
			for _, k2 := range []kessai.IdempotencyKey{
				{AccountID: k.AccountID, Livemode: true, Key: k.Key},
				{AccountID: "acct_test_2", Key: k.Key},
			} {
				if _, claimed, err := s.Claim(ctx, k2, "h1", ttl, lease); err != nil || !claimed {
					t.Errorf("Claim(%+v) = %v, %v; want claimed", k2, claimed, err)
				}
			}
		})
		t.Run("FinishWithWrongClaimConflicts", func(t *testing.T) {
			err := s.Finish(ctx, k, "not-the-claim", 200, []byte(`{}`))
			if kessai.ErrorCode(err) != kessai.EConflict {
				t.Fatalf("Finish = %v, want conflict", err)
			}
		})
		t.Run("FinishedResponseIsReturned", func(t *testing.T) {
			if err := s.Finish(ctx, k, first, 200, []byte(`{"object":"token"}`)); err != nil {
				t.Fatal(err)
			}
			rec, claimed, err := s.Claim(ctx, k, "h2", ttl, lease)
			if err != nil || claimed {
				t.Fatalf("Claim = %v, %v", claimed, err)
			}
			if rec.Status != 200 || string(rec.Body) != `{"object":"token"}` || rec.RequestHash != "h1" {
				t.Errorf("record = %+v, want the finished first response", rec)
			}
			// Releasing a finished record changes nothing.
			if err := s.Release(ctx, k, first); err != nil {
				t.Fatal(err)
			}
			if rec, _, _ := s.Claim(ctx, k, "h1", ttl, lease); rec.Status != 200 {
				t.Errorf("after Release of a finished key: %+v", rec)
			}
		})
		t.Run("ReleasedKeyCanBeClaimed", func(t *testing.T) {
			k := kessai.IdempotencyKey{AccountID: "acct_test_1", Key: "released"}
			rec, _, _ := s.Claim(ctx, k, "h1", ttl, lease)
			if err := s.Release(ctx, k, rec.Claim); err != nil {
				t.Fatal(err)
			}
			if _, claimed, err := s.Claim(ctx, k, "h1", ttl, lease); err != nil || !claimed {
				t.Fatalf("Claim after Release = %v, %v", claimed, err)
			}
		})
		t.Run("AbandonedClaimIsTakenOverAfterLease", func(t *testing.T) {
			k := kessai.IdempotencyKey{AccountID: "acct_test_1", Key: "abandoned"}
			old, _, _ := s.Claim(ctx, k, "h1", ttl, lease)
			now = now.Add(lease + time.Second)
			rec, claimed, err := s.Claim(ctx, k, "h1", ttl, lease)
			if err != nil || !claimed || rec.Claim == old.Claim {
				t.Fatalf("Claim after lease = %+v, %v, %v; want a new claim", rec, claimed, err)
			}
			if err := s.Finish(ctx, k, old.Claim, 200, nil); kessai.ErrorCode(err) != kessai.EConflict {
				t.Errorf("Finish with the lost claim = %v, want conflict", err)
			}
			if err := s.Finish(ctx, k, rec.Claim, 400, []byte(`{"object":"error"}`)); err != nil {
				t.Errorf("Finish with the new claim = %v", err)
			}
		})
		t.Run("ExpiredRecordIsReplaced", func(t *testing.T) {
			now = now.Add(ttl + time.Second)
			rec, claimed, err := s.Claim(ctx, k, "h2", ttl, lease)
			if err != nil || !claimed || rec.RequestHash != "h2" {
				t.Fatalf("Claim after expiry = %+v, %v, %v; want a new claim", rec, claimed, err)
			}
		})
		t.Run("ConcurrentClaimsHaveOneWinner", func(t *testing.T) {
			k := kessai.IdempotencyKey{AccountID: "acct_test_1", Key: "race"}
			var wins atomic.Int32
			var wg sync.WaitGroup
			for range 32 {
				wg.Go(func() {
					_, claimed, err := s.Claim(ctx, k, "h", ttl, lease)
					if err != nil {
						t.Error(err)
					}
					if claimed {
						wins.Add(1)
					}
				})
			}
			wg.Wait()
			if wins.Load() != 1 {
				t.Errorf("%d claims won, want 1", wins.Load())
			}
		})
	})
}

func TestIdempotencyDeleteExpired(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := sqlstore.NewIdempotencyStore(db)
		now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		db.Now = func() time.Time { return now }
		// 1,200 short-lived keys (more than one sweep batch) and 5 long-lived.
		var wg sync.WaitGroup
		for i := range 1205 {
			ttl := time.Hour
			if i >= 1200 {
				ttl = 48 * time.Hour
			}
			wg.Go(func() {
				k := kessai.IdempotencyKey{AccountID: "acct_test_1", Key: fmt.Sprint("k", i)}
				if _, claimed, err := s.Claim(ctx, k, "h", ttl, time.Minute); err != nil || !claimed {
					t.Errorf("Claim %d = %v, %v", i, claimed, err)
				}
			})
		}
		wg.Wait()
		if n, err := s.DeleteExpired(ctx); err != nil || n != 0 {
			t.Fatalf("DeleteExpired before expiry = %d, %v", n, err)
		}
		now = now.Add(2 * time.Hour)
		n, err := s.DeleteExpired(ctx)
		if err != nil || n != 1200 {
			t.Fatalf("DeleteExpired = %d, %v; want 1200", n, err)
		}
		var left int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM idempotency_keys`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left != 5 {
			t.Errorf("%d keys left, want 5", left)
		}
	})
}
