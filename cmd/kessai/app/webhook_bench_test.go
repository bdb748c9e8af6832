package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kessai/kessai/internal/dbtest"
)

// BenchmarkWebhookDelayUnderCharges measures how soon a charge's
// charge.create delivery starts under the charges load: 32 clients each
// create a token and charge it, over and over, for KESSAI_BENCH_DURATION
// (default 10s), against a dev platform whose test webhook URL is a local
// receiver. The commit of the charge's event lies between the charge
// request being sent and its answer arriving, so the delay from the commit
// to the receiver getting the POST is at most "from request" and at least
// "from response"; both are reported (p50, p99), with the charges and
// deliveries per second. Run with -benchtime 1x; SQLite, and PostgreSQL
// with KESSAI_TEST_POSTGRES.
func BenchmarkWebhookDelayUnderCharges(b *testing.B) {
	dur := 10 * time.Second
	if v := os.Getenv("KESSAI_BENCH_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatal(err)
		}
		dur = d
	}
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
			for range b.N {
				benchWebhookDelay(b, p, dur)
			}
		})
	}
}

func benchWebhookDelay(b *testing.B, p *platform, dur time.Duration) {
	var mu sync.Mutex
	arrived := map[string]time.Time{} // charge id → charge.create POST received
	deliveries := 0
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		at := time.Now()
		body, _ := io.ReadAll(r.Body)
		var e struct {
			Key  string
			Data struct{ ID string }
		}
		json.Unmarshal(body, &e)
		mu.Lock()
		deliveries++
		if _, ok := arrived[e.Data.ID]; !ok && e.Key == "charge.create" {
			arrived[e.Data.ID] = at
		}
		mu.Unlock()
	}))
	defer rc.Close()
	if res := p.do("PATCH", "/account", p.creds.SecretKey, url.Values{"webhook_uri": {rc.URL}}); res.Status != 200 {
		b.Fatalf("PATCH /account: %d %s", res.Status, res.Body)
	}

	type sent struct{ start, done time.Time }
	charges := map[string]sent{}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	post := func(path, key string, form url.Values) (map[string]any, error) {
		req, _ := http.NewRequest("POST", p.BaseURL()+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(key, "")
		res, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		var obj map[string]any
		if err := json.NewDecoder(res.Body).Decode(&obj); err != nil || res.StatusCode != 200 {
			return nil, fmt.Errorf("%s: %d %v", path, res.StatusCode, obj)
		}
		return obj, nil
	}
	card := cardForm("4242424242424242", "12", "2031", "123")
	b.ResetTimer()
	end := time.Now().Add(dur)
	var wg sync.WaitGroup
	var cmu sync.Mutex
	for range 32 {
		wg.Go(func() {
			for time.Now().Before(end) {
				tok, err := post("/tokens", p.creds.PublicKey, card)
				if err != nil {
					b.Error(err)
					return
				}
				start := time.Now()
				ch, err := post("/charges", p.creds.SecretKey, url.Values{"amount": {"1000"}, "currency": {"jpy"}, "card": {tok["id"].(string)}})
				done := time.Now()
				if err != nil {
					b.Error(err)
					return
				}
				cmu.Lock()
				charges[ch["id"].(string)] = sent{start, done}
				cmu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(end.Add(-dur))
	// Wait for the last deliveries.
	for wait := time.Now().Add(10 * time.Second); time.Now().Before(wait); time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		n := len(arrived)
		mu.Unlock()
		if n >= len(charges) {
			break
		}
	}
	b.StopTimer()
	mu.Lock()
	defer mu.Unlock()
	var fromReq, fromRes []time.Duration
	for id, s := range charges {
		at, ok := arrived[id]
		if !ok {
			b.Errorf("charge %s: no charge.create delivery", id)
			continue
		}
		fromReq = append(fromReq, at.Sub(s.start))
		fromRes = append(fromRes, at.Sub(s.done))
	}
	slices.Sort(fromReq)
	slices.Sort(fromRes)
	pct := func(d []time.Duration, q float64) float64 {
		if len(d) == 0 {
			return 0
		}
		return float64(d[int(q*float64(len(d)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(charges))/elapsed.Seconds(), "charges/s")
	b.ReportMetric(float64(deliveries)/elapsed.Seconds(), "deliveries/s")
	b.ReportMetric(pct(fromReq, 0.5), "p50-from-request-ms")
	b.ReportMetric(pct(fromReq, 0.99), "p99-from-request-ms")
	b.ReportMetric(pct(fromRes, 0.5), "p50-from-response-ms")
	b.ReportMetric(pct(fromRes, 0.99), "p99-from-response-ms")
	// Seqs taken by transactions that rolled back hold the delivery cursor
	// (and so new deliveries) back until they settle.
	var gaps int64
	p.DB.QueryRowContext(context.Background(), `SELECT COALESCE(MAX(seq), 0) - COUNT(*) FROM events`).Scan(&gaps)
	b.ReportMetric(float64(gaps), "seq-gaps")
	// Fan-out writes that failed (retried, or dropped and read again):
	// each sends its events' deliveries late.
	logs := p.logs.String()
	b.ReportMetric(float64(strings.Count(logs, `"msg":"webhook fan-out retried"`)), "fanout-retries")
	b.ReportMetric(float64(strings.Count(logs, `"msg":"webhook fan-out"`)), "fanout-failures")
	load, _ := os.ReadFile("/proc/loadavg")
	b.Logf("%d charges in %v; load average %s", len(charges), elapsed.Round(time.Millisecond), strings.TrimSpace(string(load)))
}
