package webhook_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/webhook"
)

// stopwatch is a receiver that notes when each event arrived.
type stopwatch struct {
	mu   sync.Mutex
	at   map[string]time.Time
	done chan struct{}
	want int
}

func newStopwatch(t testing.TB) (*stopwatch, *httptest.Server) {
	sw := &stopwatch{at: map[string]time.Time{}, done: make(chan struct{})}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		var e struct {
			ID string `json:"id"`
		}
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &e)
		sw.mu.Lock()
		if _, dup := sw.at[e.ID]; !dup {
			sw.at[e.ID] = now
			if len(sw.at) == sw.want {
				close(sw.done)
			}
		}
		sw.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return sw, srv
}

func benchDSNs() map[string]func(testing.TB) string {
	return map[string]func(testing.TB) string{"sqlite": dbtest.SQLiteDSN, "postgres": dbtest.PostgresDSN}
}

// BenchmarkDelivery measures deliveries per second to a local receiver
// (events committed by 8 concurrent writers) and, with events committed one
// every 5 ms, the delay from commit to arrival (p50, p99).
func BenchmarkDelivery(b *testing.B) {
	for name, dsn := range benchDSNs() {
		b.Run(name+"/throughput", func(b *testing.B) {
			db := dbtest.Open(b, dsn(b))
			sw, srv := newStopwatch(b)
			sw.want = b.N
			e := newEnv(b, db, webhook.Config{})
			e.setURI(b, false, srv.URL)
			b.ResetTimer()
			var wg sync.WaitGroup
			per := (b.N + 7) / 8
			for g := range 8 {
				wg.Go(func() {
					for i := g * per; i < min(b.N, (g+1)*per); i++ {
						e.addEvent(b, false, "chrg_test_bench")
					}
				})
			}
			wg.Wait()
			select {
			case <-sw.done:
			case <-time.After(2 * time.Minute):
				b.Fatalf("%d of %d delivered", len(sw.at), b.N)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
		})
		b.Run(name+"/latency", func(b *testing.B) {
			db := dbtest.Open(b, dsn(b))
			sw, srv := newStopwatch(b)
			sw.want = b.N
			e := newEnv(b, db, webhook.Config{})
			e.setURI(b, false, srv.URL)
			committed := map[string]time.Time{}
			b.ResetTimer()
			for range b.N {
				ev := e.addEvent(b, false, "chrg_test_bench")
				committed[ev.ID] = time.Now()
				time.Sleep(5 * time.Millisecond)
			}
			select {
			case <-sw.done:
			case <-time.After(2 * time.Minute):
				b.Fatalf("%d of %d delivered", len(sw.at), b.N)
			}
			var ds []time.Duration
			sw.mu.Lock()
			for id, at := range sw.at {
				ds = append(ds, at.Sub(committed[id]))
			}
			sw.mu.Unlock()
			slices.Sort(ds)
			b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
