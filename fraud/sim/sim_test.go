package sim_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kessai/kessai/fraud"
	"github.com/kessai/kessai/fraud/sim"
)

// run simulates seed with the built-in rules on in-process counters.
func run(t *testing.T, seed uint64) *sim.Report {
	t.Helper()
	tab, err := fraud.ParseIPTable(strings.NewReader(sim.IPTable()))
	if err != nil {
		t.Fatal(err)
	}
	var now atomic.Int64
	e := fraud.New(fraud.Config{IPTable: tab, Now: func() time.Time { return time.Unix(0, now.Load()).UTC() }})
	rep, err := sim.Run(context.Background(), sim.Config{Seed: seed}, e, func(t time.Time) { now.Store(t.UnixNano()) })
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestDefaultRules holds the built-in rules to the bar: at least
// 90 % of card testing and BIN enumeration blocked, under 1 % of
// legitimate charges blocked, on several seeds.
func TestDefaultRules(t *testing.T) {
	if testing.Short() {
		t.Skip("simulation")
	}
	for _, seed := range []uint64{1, 2, 3} {
		rep := run(t, seed)
		t.Logf("seed %d\n%s", seed, rep)
		if r := rep.Recall(sim.CardTesting); r < 0.9 {
			t.Errorf("seed %d: card testing recall %.3f", seed, r)
		}
		if r := rep.Recall(sim.BINEnum); r < 0.9 {
			t.Errorf("seed %d: BIN enumeration recall %.3f", seed, r)
		}
		if f := rep.FPR(); f >= 0.01 {
			t.Errorf("seed %d: false-positive rate %.4f", seed, f)
		}
	}
}

func TestReproducible(t *testing.T) {
	a, b := sim.Generate(sim.Config{Seed: 7, Charges: 500}), sim.Generate(sim.Config{Seed: 7, Charges: 500})
	if len(a) != len(b) {
		t.Fatalf("%d and %d charges", len(a), len(b))
	}
	for i := range a {
		if a[i].At != b[i].At || a[i].Attrs.Fingerprint != b[i].Attrs.Fingerprint || a[i].Label != b[i].Label || a[i].Approves != b[i].Approves {
			t.Fatalf("charge %d differs", i)
		}
	}
}
