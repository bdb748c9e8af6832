package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/kessai/kessai/internal/dbtest"
)

// BenchmarkTokensHTTP creates tokens through the HTTP API of a started
// platform, over loopback TCP, from parallel clients: SQLite and (with
// KESSAI_TEST_POSTGRES) PostgreSQL. Run with -cpu and -benchtime to shape it;
// `kessai bench tokens` is the load tool with percentiles.
func BenchmarkTokensHTTP(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			var dsn string
			if dialect == "sqlite" {
				dsn = dbtest.SQLiteDSN(b)
			} else {
				dsn = dbtest.PostgresDSN(b)
			}
			p := startPlatform(b, dsn)
			defer p.Close()
			body := cardForm("4242424242424242", "12", "2031", "123").Encode()
			tr := &http.Transport{MaxIdleConnsPerHost: 256}
			client := &http.Client{Transport: tr}
			target := p.BaseURL() + "/tokens"
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest("POST", target, strings.NewReader(body))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.SetBasicAuth(p.creds.PublicKey, "")
					res, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != 200 {
						b.Errorf("status %d", res.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}
