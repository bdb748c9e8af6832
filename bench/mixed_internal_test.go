package bench

import "testing"

// TestMixSchedule checks that one period of the mix has each iteration as
// often as its weight, spread out: no iteration twice in a row but the
// heaviest, and that one never three times.
func TestMixSchedule(t *testing.T) {
	if len(mixSchedule) != 20 {
		t.Fatalf("period %d, want 20: %v", len(mixSchedule), mixSchedule)
	}
	counts := make([]int, mixOps)
	for i, op := range mixSchedule {
		counts[op]++
		next := mixSchedule[(i+1)%len(mixSchedule)]
		if op == next && op != mixCharge {
			t.Errorf("%v: op %d twice in a row at %d", mixSchedule, op, i)
		}
		if op == mixCharge && next == op && mixSchedule[(i+2)%len(mixSchedule)] == op {
			t.Errorf("%v: charges three times in a row at %d", mixSchedule, i)
		}
	}
	for op, w := range mixWeights {
		if counts[op] != w {
			t.Errorf("op %d occurs %d times, want %d", op, counts[op], w)
		}
	}
}

func TestRecentCharges(t *testing.T) {
	var r recentCharges
	if id := r.pick(); id != "" {
		t.Errorf("pick of none = %q", id)
	}
	for i := range 2000 {
		r.add(string(rune('a' + i%26)))
	}
	if r.n != 2000 {
		t.Errorf("n = %d", r.n)
	}
	for range 100 {
		if r.pick() == "" {
			t.Fatal("pick returned none")
		}
	}
}
