package bench

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestBuckets(t *testing.T) {
	values := []int64{0, 1, 255, 256, 257, 511, 512, 513, 1023, 1024, 123456789, maxValue - 1, maxValue}
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		values = append(values, r.Int64N(maxValue+1))
	}
	for _, v := range values {
		i := bucketOf(v)
		if i < 0 || i >= nBuckets {
			t.Fatalf("bucketOf(%d) = %d, out of range", v, i)
		}
		high := bucketHigh(i)
		if high < v || high-v > v/subCount {
			t.Errorf("bucketHigh(bucketOf(%d)) = %d: not within 1/%d above", v, high, subCount)
		}
		if i > 0 && bucketHigh(i-1) >= v {
			t.Errorf("value %d also fits bucket %d", v, i-1)
		}
	}
	for i := 1; i < nBuckets; i++ {
		if bucketHigh(i) <= bucketHigh(i-1) {
			t.Fatalf("bucket %d does not follow bucket %d", i, i-1)
		}
	}
}

// TestHistogramSummary records a known distribution: 1µs, 2µs, …, 10000µs
// in random order.
func TestHistogramSummary(t *testing.T) {
	h := newHistogram()
	vals := make([]time.Duration, 10000)
	for i := range vals {
		vals[i] = time.Duration(i+1) * time.Microsecond
	}
	rand.New(rand.NewPCG(3, 4)).Shuffle(len(vals), func(i, j int) { vals[i], vals[j] = vals[j], vals[i] })
	for _, v := range vals {
		h.record(v)
	}
	got := h.summary()
	want := Latency{
		Min:  time.Microsecond,
		Mean: 5000500 * time.Nanosecond,
		P50:  5000 * time.Microsecond,
		P90:  9000 * time.Microsecond,
		P99:  9900 * time.Microsecond,
		P999: 9990 * time.Microsecond,
		Max:  10000 * time.Microsecond,
	}
	// Percentiles are bucket bounds: at most 1/256 above the exact value.
	approx := cmp.Comparer(func(a, b time.Duration) bool {
		lo, hi := min(a, b), max(a, b)
		return hi-lo <= lo/subCount
	})
	if diff := cmp.Diff(want, got, approx); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	if got.Min != want.Min || got.Max != want.Max || got.Mean != want.Mean {
		t.Errorf("min, mean, max = %v, %v, %v; want them exact", got.Min, got.Mean, got.Max)
	}
	for _, p := range []time.Duration{got.P50, got.P90, got.P99, got.P999} {
		if p < got.Min || p > got.Max {
			t.Errorf("percentile %v outside [min, max]", p)
		}
	}
}

func TestHistogramEdges(t *testing.T) {
	if got := newHistogram().summary(); got != (Latency{}) {
		t.Errorf("empty summary = %+v", got)
	}
	h := newHistogram()
	h.record(-time.Second)
	h.record(100 * time.Hour) // beyond the last bucket
	got := h.summary()
	if got.Min != 0 || got.Max != 100*time.Hour || got.P99 != 100*time.Hour || got.P50 != 0 {
		t.Errorf("summary = %+v", got)
	}
	one := newHistogram()
	one.record(1234567 * time.Nanosecond)
	s := one.summary()
	if s.P50 != s.Max || s.P999 != s.Max || s.Min != s.Max {
		t.Errorf("single sample summary = %+v", s)
	}
}
