package iso8583link_test

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
)

// BenchmarkAuthorize measures authorization round trips over loopback
// TCP, end to end: the link records each request and its answer in the
// gateway database (or in memory, to show the network's own cost), and the
// issuer host decides it and records it in its own database. It runs 16
// callers per CPU.
func BenchmarkAuthorize(b *testing.B) {
	type setup struct {
		name  string
		store func(b *testing.B) kessai.NetworkStore
		// issuer returns the issuer host's DSN.
		issuer func(t testing.TB) string
	}
	sqlite := func(b *testing.B) kessai.NetworkStore { return dbtest.Open(b, dbtest.SQLiteDSN(b)) }
	postgres := func(b *testing.B) kessai.NetworkStore { return dbtest.Open(b, dbtest.PostgresDSN(b)) }
	memory := func(*testing.B) kessai.NetworkStore { return newMemStore() }
	setups := []setup{
		{"gateway=sqlite/issuer=sqlite", sqlite, dbtest.SQLiteDSN},
		{"gateway=memory/issuer=sqlite", memory, dbtest.SQLiteDSN},
	}
	if os.Getenv(dbtest.EnvPostgres) != "" {
		setups = append(setups,
			setup{"gateway=postgres/issuer=postgres", postgres, dbtest.PostgresDSN},
			setup{"gateway=postgres/issuer=sqlite", postgres, dbtest.SQLiteDSN},
		)
	}
	for _, s := range setups {
		b.Run(s.name, func(b *testing.B) {
			e := build(b, s.store(b), s.issuer(b), slog.New(slog.DiscardHandler), nil)
			req := e.request("4242424242424242", 100)
			b.SetParallelism(16)
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					r := *req
					res, err := e.link.Authorize(context.Background(), &r)
					if err != nil || !res.Approved {
						b.Errorf("authorize: %v", err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "auths/s")
		})
	}
}
