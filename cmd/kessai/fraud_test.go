package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/kessai/kessai/fraud/sim"
)

// TestFraudSimulateAndBacktest runs a small simulation through the API of
// the platform the command starts, holds the built-in rules to the issue's
// bar on it (card testing and BIN enumeration at least 90 % stopped, under
// 1 % of legitimate charges blocked), then backtests the stored decisions
// with a rule that blocks everything: every replayed decision that was not
// a block changes.
func TestFraudSimulateAndBacktest(t *testing.T) {
	dir := t.TempDir()
	data, report := filepath.Join(dir, "data"), filepath.Join(dir, "report.json")
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"fraud", "simulate", "--data", data, "--json", report, "--seed", "3",
		"--customers", "150", "--charges", "1200", "--card-testing", "2", "--bin-enumeration", "2", "--account-takeover", "3", "--geo-mismatch", "10"},
		&out, &errOut)
	if err != nil {
		t.Fatalf("simulate: %v\n%s", err, errOut.String())
	}
	t.Logf("\n%s", out.String())
	raw, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var rep sim.Report
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.API || rep.By[sim.Legit].Charges < 1200 || rep.By[sim.CardTesting].Charges == 0 || rep.By[sim.BINEnum].Charges == 0 {
		t.Fatalf("report: %+v", rep.By)
	}
	for _, l := range []string{sim.CardTesting, sim.BINEnum} {
		if r := rep.Recall(l); r < 0.9 {
			t.Errorf("%s: %.3f stopped, want at least 0.9", l, r)
		}
	}
	if f := rep.FPR(); f >= 0.01 {
		t.Errorf("false-positive rate %.4f", f)
	}

	rules := filepath.Join(dir, "rules.txt")
	os.WriteFile(rules, []byte("# everything\nblock if amount > 0\n"), 0o600)
	out.Reset()
	if err := run(context.Background(), []string{"fraud", "backtest", "--data", data, "--rules", rules}, &out, &errOut); err != nil {
		t.Fatalf("backtest: %v\n%s", err, errOut.String())
	}
	t.Logf("\n%s", out.String())
	stopped, refused := 0, 0
	for _, s := range rep.By {
		stopped += s.Blocked
		refused += s.Refused
	}
	replayed := rep.Decisions - refused
	m := regexp.MustCompile(`(\d+) decisions replayed through 1 rules \(0 stored`).FindStringSubmatch(out.String())
	if m == nil || m[1] != strconv.Itoa(replayed) {
		t.Errorf("backtest replayed %v, want %d", m, replayed)
	}
	if m := regexp.MustCompile(`\n(\d+) decisions change`).FindStringSubmatch(out.String()); m == nil || m[1] != strconv.Itoa(replayed-stopped) {
		t.Errorf("backtest changes %v, want %d", m, replayed-stopped)
	}
	if err := run(context.Background(), []string{"fraud", "backtest", "--data", data, "--rules", rules + ".missing"}, &out, &errOut); err == nil {
		t.Error("a missing rules file was accepted")
	}
}

// TestFraudSimulateRules runs a simulation with the built-in rules disabled
// and one rule of a file that blocks only large charges: the attacks (small
// amounts) then get through, which shows the run measures the rules it is
// given; a rule that does not compile stops the run.
func TestFraudSimulateRules(t *testing.T) {
	dir := t.TempDir()
	rules, report := filepath.Join(dir, "rules.txt"), filepath.Join(dir, "report.json")
	os.WriteFile(rules, []byte("# large only\nblock if amount_usd > 100000\n"), 0o600)
	args := []string{"fraud", "simulate", "--json", report, "--customers", "30", "--charges", "200", "--card-testing", "1",
		"--bin-enumeration", "1", "--account-takeover", "1", "--geo-mismatch", "2", "--no-defaults", "--rules", rules}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("simulate: %v\n%s", err, errOut.String())
	}
	raw, _ := os.ReadFile(report)
	var rep sim.Report
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	for _, l := range sim.Scenarios {
		if s := rep.By[l]; s.Blocked != 0 || s.Reviewed != 0 || s.Challenged != 0 {
			t.Errorf("%s: %+v with only a rule that cannot fire", l, s)
		}
	}
	if rep.By[sim.CardTesting].Charges == 0 {
		t.Error("no card testing simulated")
	}
	os.WriteFile(rules, []byte("block if amount >\n"), 0o600)
	if err := run(context.Background(), args, &out, &errOut); err == nil {
		t.Error("a rule that does not compile was accepted")
	}
}
