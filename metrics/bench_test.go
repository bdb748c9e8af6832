package metrics_test

import (
	"testing"
	"time"

	"github.com/kessai/kessai/metrics"
)

// BenchmarkObserveRequest is the cost the metrics add to every API request.
func BenchmarkObserveRequest(b *testing.B) {
	r := metrics.New()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r.ObserveRequest("POST", "/charges", 200, 3*time.Millisecond)
		}
	})
}

// BenchmarkObserveNetworkRequest is the cost added to each ISO 8583 round
// trip.
func BenchmarkObserveNetworkRequest(b *testing.B) {
	r := metrics.New()
	b.ReportAllocs()
	for b.Loop() {
		r.ObserveNetworkRequest("0200")("answered")
	}
}
