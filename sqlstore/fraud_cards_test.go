package sqlstore_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
)

// TestSeeFraudCard checks that a card is new to an account once, per
// account and mode, and that a rolled-back write forgets it.
func TestSeeFraudCard(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		see := func(acct string, live bool, fp string) bool {
			t.Helper()
			var seen bool
			err := db.Write(ctx, func(tx *sqlstore.Tx) (err error) {
				seen, err = tx.SeeFraudCard(acct, live, fp)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return seen
		}
		if see("acct_test_a", false, "fp1") {
			t.Error("first sight: seen before")
		}
		if !see("acct_test_a", false, "fp1") {
			t.Error("second sight: not seen before")
		}
		if see("acct_test_b", false, "fp1") || see("acct_test_a", true, "fp1") || see("acct_test_a", false, "fp2") {
			t.Error("another account, mode or card counted as seen")
		}
		db.Write(ctx, func(tx *sqlstore.Tx) error {
			tx.SeeFraudCard("acct_test_a", false, "fp3")
			return kessai.Errorf(kessai.EBadRequest, "roll back")
		})
		if see("acct_test_a", false, "fp3") {
			t.Error("a rolled-back sight was kept")
		}
	})
}

// TestFraudDecisionInputs stores decisions with and without inputs and
// reads them back in order, by account, mode and time.
func TestFraudDecisionInputs(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		put := func(acct string, live bool, id string, at time.Time, inputs string) {
			t.Helper()
			d := &kessai.FraudDecision{Action: kessai.FraudAllow, RiskLevel: "normal", Rules: []kessai.FiredRule{},
				Reasons: []kessai.RiskReason{}, Charge: id, CreatedAt: kessai.Time{Time: at}}
			if inputs != "" {
				d.Inputs = json.RawMessage(inputs)
			}
			if err := db.Write(ctx, func(tx *sqlstore.Tx) error { return tx.InsertFraudDecision(acct, live, d) }); err != nil {
				t.Fatal(err)
			}
		}
		put("acct_test_a", false, "chrg_2", t0.Add(2*time.Minute), `{"x":2}`)
		put("acct_test_a", false, "chrg_1", t0.Add(time.Minute), "")
		put("acct_test_b", false, "chrg_3", t0.Add(3*time.Minute), `{"x":3}`)
		put("acct_test_a", true, "chrg_4", t0.Add(3*time.Minute), `{"x":4}`)
		put("acct_test_a", false, "chrg_5", t0.Add(time.Hour), `{"x":5}`)
		read := func(acct string) []string {
			var got []string
			err := db.FraudDecisionInputs(ctx, acct, false, t0, t0.Add(30*time.Minute), func(charge, action string, inputs []byte) bool {
				got = append(got, charge+":"+action+":"+string(inputs))
				return true
			})
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		if got := read("acct_test_a"); len(got) != 2 || got[0] != "chrg_1:allow:" || got[1] != `chrg_2:allow:{"x":2}` {
			t.Errorf("account a: %v", got)
		}
		if got := read(""); len(got) != 3 || got[2] != `chrg_3:allow:{"x":3}` {
			t.Errorf("every account: %v", got)
		}
	})
}
