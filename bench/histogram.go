package bench

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// The histogram is log-linear, as in HdrHistogram: values below 2^subBits
// nanoseconds have a bucket each, and every power of two above that is cut
// into 2^subBits buckets, so that a bucket is at most 1/256 of its values
// wide. Values above maxValue are counted in the last bucket.
const (
	subBits  = 8
	subCount = 1 << subBits
	maxBits  = 42 // 2^42 ns is 73 minutes
	nBuckets = (maxBits - subBits + 1) * subCount
	maxValue = 1<<maxBits - 1
)

// histogram counts latencies. It is safe for concurrent use, without locks.
type histogram struct {
	counts [nBuckets]atomic.Int64
	n      atomic.Int64
	sum    atomic.Int64
	min    atomic.Int64 // valid when n > 0
	max    atomic.Int64
}

func newHistogram() *histogram {
	h := &histogram{}
	h.min.Store(math.MaxInt64)
	return h
}

// bucketOf returns the bucket of v, for 0 <= v <= maxValue.
func bucketOf(v int64) int {
	if v < subCount {
		return int(v)
	}
	shift := bits.Len64(uint64(v)) - 1 - subBits
	return (shift+1)<<subBits + int(v>>shift) - subCount
}

// bucketHigh returns the highest value that falls in bucket i.
func bucketHigh(i int) int64 {
	if i < subCount {
		return int64(i)
	}
	shift := i>>subBits - 1
	low := int64(i&(subCount-1)+subCount) << shift
	return low + 1<<shift - 1
}

// record adds one latency.
func (h *histogram) record(d time.Duration) {
	v := int64(d)
	if v < 0 {
		v = 0
	}
	h.n.Add(1)
	h.sum.Add(v)
	for cur := h.min.Load(); v < cur && !h.min.CompareAndSwap(cur, v); cur = h.min.Load() {
	}
	for cur := h.max.Load(); v > cur && !h.max.CompareAndSwap(cur, v); cur = h.max.Load() {
	}
	h.counts[bucketOf(min(v, maxValue))].Add(1)
}

// Latency summarizes the latencies of successful requests.
type Latency struct {
	Min, Mean, P50, P90, P99, P999, Max time.Duration
}

// summary returns the latency summary. A percentile is the highest value of
// the bucket that holds the sample of that rank (nearest rank), but never
// more than the largest value seen; it is within 1/256 of the exact value
// (up to 73 minutes; beyond, it is the largest value seen).
func (h *histogram) summary() Latency {
	n := h.n.Load()
	if n == 0 {
		return Latency{}
	}
	mx := h.max.Load()
	l := Latency{
		Min:  time.Duration(h.min.Load()),
		Max:  time.Duration(mx),
		Mean: time.Duration(h.sum.Load() / n),
	}
	qs := []struct {
		q   float64
		out *time.Duration
	}{{0.50, &l.P50}, {0.90, &l.P90}, {0.99, &l.P99}, {0.999, &l.P999}}
	var seen int64
	j := 0
	for i := range h.counts {
		seen += h.counts[i].Load()
		for j < len(qs) && seen >= rank(qs[j].q, n) {
			v := min(bucketHigh(i), mx)
			if i == nBuckets-1 { // the overflow bucket
				v = mx
			}
			*qs[j].out = time.Duration(v)
			j++
		}
		if j == len(qs) {
			break
		}
	}
	for ; j < len(qs); j++ { // only if counts raced ahead of n
		*qs[j].out = time.Duration(mx)
	}
	return l
}

// rank returns the nearest rank of quantile q among n samples (1-based).
func rank(q float64, n int64) int64 {
	return max(1, int64(math.Ceil(q*float64(n))))
}
