package fraud

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/expr-lang/expr/vm"
)

type vmHolder struct{ vm vm.VM }

func testCounters(t *testing.T, c Counters) {
	ctx := context.Background()
	k := "acct_test_a/t|ip|" + strconv.FormatInt(time.Now().UnixNano(), 36)
	other := k + "x"
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	evs := []Event{
		{At: at(0), Amount: 10, Card: 1},
		{At: at(20 * time.Hour), Amount: 20, Card: 2, Declined: true},
		{At: at(23*time.Hour + 30*time.Minute), Amount: 30, Card: 1},
		{At: at(23*time.Hour + 55*time.Minute), Amount: 40, Card: 3, Declined: true},
	}
	for _, ev := range evs {
		if err := c.Add(ctx, []string{k}, ev); err != nil {
			t.Fatal(err)
		}
	}
	c.Add(ctx, []string{other}, Event{At: at(23 * time.Hour), Amount: 99, Card: 9})
	out := make([]Stats, 2)
	if err := c.Load(ctx, []string{k, k + "missing"}, at(24*time.Hour), out); err != nil {
		t.Fatal(err)
	}
	want := Stats{
		// 10 min: the last event; 1 h: the last two; 24 h: all but the
		// first (which is exactly 24 h old).
		Attempts: [3]int64{1, 2, 3},
		Declines: [3]int64{1, 1, 2},
		Amount:   [3]int64{40, 70, 90},
		Cards:    [3]int64{1, 2, 3},
	}
	if out[0] != want {
		t.Errorf("stats %+v, want %+v", out[0], want)
	}
	if out[1] != (Stats{}) {
		t.Errorf("missing key: %+v", out[1])
	}
	// Saturation: at most RingSize events are kept.
	sat := k + "sat"
	for i := range RingSize + 10 {
		c.Add(ctx, []string{sat}, Event{At: at(time.Duration(i) * time.Second), Card: uint32(i + 1)})
	}
	c.Load(ctx, []string{sat}, at(time.Minute), out[:1])
	if out[0].Attempts[W10m] != RingSize || out[0].Cards[W10m] != RingSize {
		t.Errorf("saturated stats %+v", out[0])
	}
}

func TestMemoryCounters(t *testing.T) { testCounters(t, NewMemory(0)) }

func TestRedisCounters(t *testing.T) {
	testCounters(t, NewRedis(redisClient(t), "kessai:test:"+strconv.FormatInt(time.Now().UnixNano(), 36)+":"))
}

func TestMemoryBounded(t *testing.T) {
	m := NewMemory(640)
	ctx := context.Background()
	for i := range 5000 {
		m.Add(ctx, []string{"k" + strconv.Itoa(i)}, Event{At: t0})
	}
	if n := m.Len(); n > 640 {
		t.Errorf("%d keys held, bound 640", n)
	}
}
