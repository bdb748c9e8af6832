package sqlstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
)

var t0 = time.Date(2026, 1, 10, 4, 0, 0, 0, time.UTC) // in the past, inside default list ranges

func ptr[T any](v T) *T { return &v }

// mustAccount creates a Thai test account.
func mustAccount(t *testing.T, db *sqlstore.DB) *kessai.Account {
	t.Helper()
	a := &kessai.Account{Email: "shop@example.com", Country: "TH", Currency: "thb"}
	if err := (&sqlstore.AccountService{DB: db}).CreateAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

// mustWrite runs fn in a write transaction and fails the test on error.
func mustWrite(t *testing.T, db *sqlstore.DB, fn func(tx *sqlstore.Tx) error) {
	t.Helper()
	if err := db.Write(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// testCharge returns an in-flight charge as the payment service stores it
// before the authorization leaves.
func testCharge(acct *kessai.Account, created time.Time) *kessai.Charge {
	c := &kessai.Charge{
		AccountID: acct.ID,
		Amount:    100000,
		Currency:  "thb",
		Status:    kessai.ChargePending,
		Capture:   true,
		Metadata:  kessai.Metadata{"order": "42"},
		CreatedAt: kessai.Time{Time: created},
		ExpiresAt: kessai.NewTime(kessai.ChargeExpiry("TH", created)),
		Fees:      kessai.DefaultFeeSchedule("TH"),
		TokenID:   "tokn_test_000000000000000000a",
		IP:        ptr("192.0.2.1"),
		Card: &kessai.Card{Object: "card", ID: "card_test_000000000000000000a", LastDigits: "4242", Brand: "Visa",
			Name: "Somchai Prasert", Bank: "Kessai Test Bank", Country: "us", ExpirationMonth: 12, ExpirationYear: 2030,
			Fingerprint: "fp", CreatedAt: kessai.Time{Time: created}},
	}
	c.MarkInflight(kessai.InflightAuthorize, created)
	return c
}

// chargeJSON returns the API form of c without its refunds list, whose "to"
// is the time of reading.
func chargeJSON(t *testing.T, c *kessai.Charge) map[string]any {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	delete(m, "refunds")
	return m
}

var ignoreChargeInternals = cmpopts.IgnoreFields(kessai.Charge{}, "Refunds", "UpdatedAt")

func TestChargeStore(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		acct := mustAccount(t, db)
		c := testCharge(acct, t0)
		mustWrite(t, db, func(tx *sqlstore.Tx) error { return tx.InsertCharge(c) })
		if !kessai.HasPrefix(c.ID, kessai.PrefixCharge) || c.Version != 1 || c.Location != "/charges/"+c.ID {
			t.Fatalf("inserted charge: id %q version %d location %q", c.ID, c.Version, c.Location)
		}

		got, err := db.FindCharge(ctx, acct.ID, false, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(c, got, ignoreChargeInternals); diff != "" {
			t.Errorf("found charge (-stored +found):\n%s", diff)
		}
		if got.Refunds == nil || got.Refunds.Location != "/charges/"+c.ID+"/refunds" || len(got.Refunds.Data) != 0 {
			t.Errorf("refunds = %+v", got.Refunds)
		}
		for _, scope := range []struct {
			acct string
			live bool
		}{{acct.ID, true}, {"acct_other", false}} {
			if _, err := db.FindCharge(ctx, scope.acct, scope.live, c.ID); kessai.ErrorCode(err) != kessai.ENotFound {
				t.Errorf("FindCharge(%s, live=%v) = %v, want not_found", scope.acct, scope.live, err)
			}
		}

		// The recovery pass sees the charge in flight.
		inflight, err := db.InflightCharges(ctx, t0.Add(time.Minute), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(inflight) != 1 || inflight[0].ID != c.ID || inflight[0].Inflight != kessai.InflightAuthorize {
			t.Fatalf("in flight = %v", inflight)
		}
		if early, _ := db.InflightCharges(ctx, t0.Add(-time.Minute), 10); len(early) != 0 {
			t.Errorf("in flight before it was sent: %v", early)
		}

		// The outcome, its event and its transaction commit together.
		mustWrite(t, db, func(tx *sqlstore.Tx) error {
			cur, err := tx.FindCharge(acct.ID, false, c.ID)
			if err != nil {
				return err
			}
			cur.MarkAuthorized(tx.Now, "123456")
			_, _, net := cur.Fees.Apply(cur.Amount)
			trxn := &kessai.Transaction{AccountID: acct.ID, Direction: kessai.Credit, Key: kessai.TransactionChargeCapture,
				Origin: cur.ID, Amount: net, Currency: cur.Currency, TransferableAt: kessai.Time{Time: tx.Now.Add(kessai.SettlementDelay)}}
			if err := tx.InsertTransaction(trxn); err != nil {
				return err
			}
			cur.MarkCaptured(cur.Amount, tx.Now, trxn.ID)
			if err := tx.UpdateCharge(cur); err != nil {
				return err
			}
			ev, err := kessai.NewEvent(kessai.EventChargeCreate, acct.ID, false, cur.ID, cur, tx.Now)
			if err != nil {
				return err
			}
			c = cur
			return tx.InsertEvent(ev)
		})
		got, err = db.FindCharge(ctx, acct.ID, false, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != kessai.ChargeSuccessful || !got.Paid || got.Version != 2 || got.Net != 96094 || got.Transaction == nil || *got.ApprovalCode != "123456" || got.Inflight != "" {
			t.Errorf("captured charge = %+v", got)
		}
		if diff := cmp.Diff(chargeJSON(t, c), chargeJSON(t, got)); diff != "" {
			t.Errorf("API form (-written +read):\n%s", diff)
		}
		if inflight, _ := db.InflightCharges(ctx, t0.Add(time.Hour), 10); len(inflight) != 0 {
			t.Errorf("still in flight: %v", inflight)
		}
		trxn, err := db.FindTransaction(ctx, acct.ID, false, *got.Transaction)
		if err != nil || trxn.Amount != 96094 || trxn.Origin != c.ID {
			t.Errorf("transaction = %+v, %v", trxn, err)
		}
		events, err := db.ListObjectEvents(ctx, acct.ID, false, c.ID, "/charges/"+c.ID+"/events", kessai.ListParams{})
		if err != nil {
			t.Fatal(err)
		}
		if events.Total != 1 || events.Data[0].Key != kessai.EventChargeCreate {
			t.Errorf("events = %+v", events)
		}

		// A stale copy cannot overwrite a newer one.
		stale := *c
		stale.Version = 1
		err = db.Write(ctx, func(tx *sqlstore.Tx) error { return tx.UpdateCharge(&stale) })
		if kessai.ErrorCode(err) != kessai.EConflict {
			t.Errorf("stale update: %v", err)
		}
		if stale.Version != 1 {
			t.Errorf("failed update changed the version to %d", stale.Version)
		}
		missing := *c
		missing.ID = "chrg_test_nope"
		err = db.Write(ctx, func(tx *sqlstore.Tx) error { return tx.UpdateCharge(&missing) })
		if kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("update of a missing charge: %v", err)
		}
	})
}

// TestChargeWriteIsAtomic checks that a failing write leaves neither the
// charge nor its event behind.
func TestChargeWriteIsAtomic(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		acct := mustAccount(t, db)
		c := testCharge(acct, t0)
		boom := errors.New("network refused")
		err := db.Write(ctx, func(tx *sqlstore.Tx) error {
			if err := tx.InsertCharge(c); err != nil {
				return err
			}
			ev, _ := kessai.NewEvent(kessai.EventChargeCreate, acct.ID, false, c.ID, c, tx.Now)
			if err := tx.InsertEvent(ev); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("write = %v", err)
		}
		if _, err := db.FindCharge(ctx, acct.ID, false, c.ID); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("charge after rollback: %v", err)
		}
		if l, _ := db.ListEvents(ctx, acct.ID, false, kessai.ListParams{}); l.Total != 0 {
			t.Errorf("events after rollback: %d", l.Total)
		}
	})
}

func TestListCharges(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		acct := mustAccount(t, db)
		other := mustAccount(t, db)
		var ids []string
		mustWrite(t, db, func(tx *sqlstore.Tx) error {
			for i := range 5 {
				c := testCharge(acct, t0.Add(time.Duration(i)*time.Hour))
				if err := tx.InsertCharge(c); err != nil {
					return err
				}
				ids = append(ids, c.ID)
			}
			live := testCharge(acct, t0)
			live.Livemode = true
			if err := tx.InsertCharge(live); err != nil {
				return err
			}
			return tx.InsertCharge(testCharge(other, t0))
		})
		idsOf := func(l *kessai.List[*kessai.Charge]) []string {
			var out []string
			for _, c := range l.Data {
				out = append(out, c.ID)
			}
			return out
		}
		tests := []struct {
			name  string
			p     kessai.ListParams
			want  []string
			total int
		}{
			{"all", kessai.ListParams{}, ids, 5},
			{"page", kessai.ListParams{Offset: 1, Limit: 2}, ids[1:3], 5},
			{"reverse", kessai.ListParams{Order: kessai.ReverseChronological, Limit: 2}, []string{ids[4], ids[3]}, 5},
			{"from to", kessai.ListParams{From: t0.Add(time.Hour), To: t0.Add(3 * time.Hour)}, ids[1:4], 3},
			{"past the end", kessai.ListParams{Offset: 10}, nil, 5},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				l, err := db.ListCharges(ctx, acct.ID, false, tt.p)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, idsOf(l)); diff != "" {
					t.Errorf("ids (-want +got):\n%s", diff)
				}
				if l.Total != tt.total || l.Location != "/charges" || l.Object != "list" || l.Data == nil {
					t.Errorf("list = total %d location %q object %q", l.Total, l.Location, l.Object)
				}
			})
		}
		l, _ := db.ListCharges(ctx, acct.ID, false, kessai.ListParams{})
		b, _ := json.Marshal(l)
		var m map[string]any
		json.Unmarshal(b, &m)
		if m["from"] != "1970-01-01T00:00:00Z" || m["limit"] != 20.0 || m["order"] != "chronological" {
			t.Errorf("list defaults: from %v limit %v order %v", m["from"], m["limit"], m["order"])
		}
	})
}

func TestExpiringCharges(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		acct := mustAccount(t, db)
		open := testCharge(acct, t0)
		open.Capture = false
		open.MarkAuthorized(t0, "1")
		unauthorized := testCharge(acct, t0)
		unauthorized.Inflight = ""
		captured := testCharge(acct, t0)
		captured.MarkAuthorized(t0, "1")
		captured.MarkCaptured(captured.Amount, t0, "")
		mustWrite(t, db, func(tx *sqlstore.Tx) error {
			for _, c := range []*kessai.Charge{open, unauthorized, captured} {
				if err := tx.InsertCharge(c); err != nil {
					return err
				}
			}
			return nil
		})
		for _, tt := range []struct {
			at   time.Time
			want int
		}{{t0.AddDate(0, 0, 7).Add(-time.Second), 0}, {t0.AddDate(0, 0, 7), 1}} {
			got, err := db.ExpiringCharges(ctx, tt.at, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want || (tt.want == 1 && got[0].ID != open.ID) {
				t.Errorf("ExpiringCharges(%v) = %v", tt.at, got)
			}
		}
	})
}

func ids[T any](xs []T, id func(T) string) []string {
	var out []string
	for _, x := range xs {
		out = append(out, id(x))
	}
	return out
}

func chargeIDs(cs []*kessai.Charge) []string {
	return ids(cs, func(c *kessai.Charge) string { return c.ID })
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(fmt.Errorf("unexpected error: %w", err))
		}
		return v
	}
}
