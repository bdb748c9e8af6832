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

func TestFraudRulesStore(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		at := time.Date(2026, 11, 22, 1, 2, 3, 0, time.UTC)
		r := &kessai.FraudRule{Object: "fraud_rule", AccountID: "acct_test_a", ID: "frul_test_1", Rule: "block if amount > 1",
			Description: "d", Enabled: true, CreatedAt: kessai.Time{Time: at}, UpdatedAt: kessai.Time{Time: at}}
		if err := db.PutFraudRule(ctx, r); err != nil {
			t.Fatal(err)
		}
		r.Shadow, r.Enabled, r.Rule = true, false, "review if amount > 2"
		r.UpdatedAt = kessai.Time{Time: at.Add(time.Hour)}
		if err := db.PutFraudRule(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindFraudRule(ctx, "acct_test_a", false, "frul_test_1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(r, got); diff != "" {
			t.Errorf("stored rule (-want +got):\n%s", diff)
		}
		if _, err := db.FindFraudRule(ctx, "acct_test_a", true, "frul_test_1"); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("other mode: %v", err)
		}
		if rules, _ := db.FraudRules(ctx, "acct_test_b", false); len(rules) != 0 {
			t.Errorf("other account sees %d rules", len(rules))
		}
		d := []kessai.FraudRuleStats{{AccountID: "acct_test_a", RuleID: "frul_test_1", Fired: 3, Blocked: 2, Reviewed: 1}}
		for range 2 {
			if err := db.AddFraudRuleStats(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		st, err := db.FraudRuleStats(ctx, "acct_test_a", false)
		if err != nil || len(st) != 1 || st[0].Fired != 6 || st[0].Blocked != 4 || st[0].Reviewed != 2 {
			t.Errorf("stats %+v %v", st, err)
		}
		if err := db.DeleteFraudRule(ctx, "acct_test_a", false, "frul_test_1"); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteFraudRule(ctx, "acct_test_a", false, "frul_test_1"); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("second delete: %v", err)
		}
		if st, _ := db.FraudRuleStats(ctx, "acct_test_a", false); len(st) != 0 {
			t.Errorf("stats left after delete: %+v", st)
		}
	})
}

func TestFraudListStore(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		it := &kessai.FraudListItem{Object: "fraud_list_item", ID: "flst_test_1", AccountID: "acct_test_a", List: "block", Type: "email",
			Value: "a@example.com", Enabled: true, CreatedAt: kessai.Time{Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}}
		if err := db.InsertFraudListItem(ctx, it); err != nil {
			t.Fatal(err)
		}
		dup := *it
		dup.ID = "flst_test_2"
		if err := db.InsertFraudListItem(ctx, &dup); kessai.ErrorCode(err) != kessai.EConflict {
			t.Errorf("duplicate: %v", err)
		}
		dup.List = "allow"
		if err := db.InsertFraudListItem(ctx, &dup); err != nil {
			t.Errorf("same value on the other list: %v", err)
		}
		if err := db.SetFraudListItemEnabled(ctx, "acct_test_a", false, it.ID, false); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindFraudListItem(ctx, "acct_test_a", false, it.ID)
		if err != nil || got.Enabled {
			t.Errorf("disabled item %+v %v", got, err)
		}
		if err := db.SetFraudListItemEnabled(ctx, "acct_test_b", false, it.ID, true); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("other account: %v", err)
		}
		all, _ := db.FraudListItems(ctx, "acct_test_a", false)
		if len(all) != 2 {
			t.Errorf("%d items", len(all))
		}
		if err := db.DeleteFraudListItem(ctx, "acct_test_a", false, it.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FindFraudListItem(ctx, "acct_test_a", false, it.ID); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("deleted: %v", err)
		}
	})
}

func TestFraudDecisionStore(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		d := &kessai.FraudDecision{Object: "fraud_decision", Action: kessai.FraudReview, Request3DS: true, RiskScore: 70, RiskLevel: "elevated",
			Rules:     []kessai.FiredRule{{ID: "frul_default_elevated_risk", Rule: "review if risk_score >= 65", Action: kessai.FraudReview}},
			Reasons:   []kessai.RiskReason{{Code: "ip_country_mismatch", Points: 15, Detail: "x"}},
			Charge:    "chrg_test_1",
			CreatedAt: kessai.Time{Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}}
		if err := db.Write(ctx, func(tx *sqlstore.Tx) error { return tx.InsertFraudDecision("acct_test_a", false, d) }); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindFraudDecision(ctx, "acct_test_a", false, "chrg_test_1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(d, got); diff != "" {
			t.Errorf("decision (-want +got):\n%s", diff)
		}
		if _, err := db.FindFraudDecision(ctx, "acct_test_b", false, "chrg_test_1"); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("other account: %v", err)
		}
	})
}
