package fraud

import (
	"context"
	"testing"
	"time"

	"github.com/kessai/kessai"
)

// TestBacktest screens charges with the built-in rules disabled, then
// replays the stored decisions through a rule set that blocks the large
// ones and a velocity rule, with a block list entry added since: the report counts both sides, lists the changed
// charges with the rule that changed them, sums the newly blocked amounts,
// sees the velocity counts each charge had (not today's), and skips
// decisions without inputs.
func TestBacktest(t *testing.T) {
	ctx := context.Background()
	e, clk := newEngine(t, false)
	var stored []Stored
	for i, amount := range []int64{1000, 90000, 2000, 3000, 4000} {
		a := attrs()
		a.ChargeID = "chrg_test_" + itoa(int64(i))
		a.Amount = amount
		if i == 4 {
			a.Fingerprint = "fp_listed_xxxx"
		}
		d := screen(t, e, a)
		if d.Action != kessai.FraudAllow || len(d.Inputs) == 0 {
			t.Fatalf("charge %d: %s, %d bytes of inputs", i, d.Action, len(d.Inputs))
		}
		stored = append(stored, Stored{Charge: a.ChargeID, Action: d.Action, Inputs: d.Inputs})
		e.Record(ctx, a, d, kessai.FraudApproved)
		clk.Add(time.Minute)
	}
	stored = append(stored, Stored{Charge: "chrg_test_old", Action: kessai.FraudAllow})
	// Many more attempts now: a replay must not see them.
	for range 10 {
		e.Record(ctx, attrs(), nil, kessai.FraudDeclined)
	}
	// The account's block list applies to the replay.
	if _, err := e.Service().AddListItem(ctx, testAuth, &kessai.FraudListItem{List: kessai.FraudBlockList, Type: kessai.FraudItemFingerprint, Value: "fp_listed_xxxx"}); err != nil {
		t.Fatal(err)
	}
	rules := []string{"block if amount_usd > 500", "review if attempts_per_card_10m >= 3"}
	rep, err := e.Backtest(rules, func(yield func(Stored) bool) error {
		for _, s := range stored {
			if !yield(s) {
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Charges != 5 || rep.Skipped != 1 {
		t.Errorf("replayed %d, skipped %d; want 5 and 1", rep.Charges, rep.Skipped)
	}
	if rep.Before[kessai.FraudAllow] != 5 || rep.After[kessai.FraudBlock] != 2 || rep.After[kessai.FraudReview] != 1 || rep.After[kessai.FraudAllow] != 2 {
		t.Errorf("before %v after %v", rep.Before, rep.After)
	}
	if len(rep.Changed) != 3 || rep.Changed[0].Charge != "chrg_test_1" || rep.Changed[0].After != kessai.FraudBlock ||
		rep.Changed[0].Rule != rules[0] || rep.Changed[1].Charge != "chrg_test_3" || rep.Changed[1].After != kessai.FraudReview ||
		rep.Changed[2].Charge != "chrg_test_4" || rep.Changed[2].Rule != "block if listed" {
		t.Errorf("changed %+v", rep.Changed)
	}
	if rep.NewlyBlocked["usd"] != 90000+4000 || len(rep.Unblocked) != 0 {
		t.Errorf("newly blocked %v, unblocked %v", rep.NewlyBlocked, rep.Unblocked)
	}
	if _, err := e.Backtest([]string{"block if nonsense >"}, nil); err == nil {
		t.Error("a rule that does not compile was accepted")
	}
}
