package acs_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/kessai/kessai/threeds"
)

// BenchmarkAReqRoundTrip measures the frictionless 3-D Secure round trip
// a 3DS Server sees: AReq over mutual TLS to the DS, DS to the ACS (mutual
// TLS), risk decision, ECI and CAVV, and the ARes back through the DS.
// Connections are kept alive, as between long-running components.
func BenchmarkAReqRoundTrip(b *testing.B) {
	e := newEnv(b, nil)
	ctx := context.Background()
	if _, err := e.server.Authenticate(ctx, e.areq("4000000000001000", "1000")); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		ares, err := e.server.Authenticate(ctx, e.areq("4000000000001000", "1000"))
		if err != nil || ares.TransStatus != threeds.StatusAuthenticated {
			b.Fatal(err)
		}
	}
}

// BenchmarkAReqRoundTripAt200PerSecond sends AReqs at a fixed 200 per
// second (open loop, each on its own goroutine) and reports the latency
// percentiles: the target is a p99 under 5 ms.
func BenchmarkAReqRoundTripAt200PerSecond(b *testing.B) {
	e := newEnv(b, nil)
	ctx := context.Background()
	for range 20 { // warm the connection pools
		if _, err := e.server.Authenticate(ctx, e.areq("4000000000001000", "1000")); err != nil {
			b.Fatal(err)
		}
	}
	n := max(b.N, 2000)
	lat := make([]time.Duration, n)
	errs := make(chan error, n)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	b.ResetTimer()
	done := make(chan struct{}, n)
	for i := range n {
		<-tick.C
		go func() {
			start := time.Now()
			_, err := e.server.Authenticate(ctx, e.areq("4000000000001000", "1000"))
			lat[i] = time.Since(start)
			if err != nil {
				errs <- err
			}
			done <- struct{}{}
		}()
	}
	for range n {
		<-done
	}
	b.StopTimer()
	if len(errs) > 0 {
		b.Fatal(<-errs)
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(float64(n-1)*p)].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(lat[n-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(0, "ns/op")
}
