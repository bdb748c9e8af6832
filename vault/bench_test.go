package vault_test

import (
	"context"
	"testing"
	"time"

	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
	"github.com/kessai/kessai/vault"
)

// BenchmarkCreateToken measures tokenization through the vault alone
// (validation, fingerprint, encryption, one write transaction) with many
// concurrent callers, as the HTTP layer would make them. It reports
// tokens/s. The PostgreSQL case runs when KESSAI_TEST_POSTGRES is set.
func BenchmarkCreateToken(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			dsn := ""
			if dialect == "sqlite" {
				dsn = dbtest.SQLiteDSN(b)
			} else {
				dsn = dbtest.PostgresDSN(b) // skips without KESSAI_TEST_POSTGRES
			}
			db := dbtest.Open(b, dsn)
			benchCreate(b, db)
		})
	}
}

func benchCreate(b *testing.B, db *sqlstore.DB) {
	v := openVault(b, db, vault.Config{})
	auth := newAccount(b, db)
	ctx := context.Background()
	raw := rawCard(visa, "123")
	b.SetParallelism(64) // 64 × GOMAXPROCS callers keep the group commit busy
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := v.CreateToken(ctx, auth, raw, "192.0.2.1"); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "tokens/s")
}
