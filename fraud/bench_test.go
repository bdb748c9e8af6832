package fraud

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kessai/kessai"
)

// benchAttrs returns n charges over a realistic spread of cards, IPs and
// emails.
func benchAttrs(n int) []*kessai.FraudAttributes {
	out := make([]*kessai.FraudAttributes, n)
	for i := range out {
		a := attrs()
		a.Fingerprint = "fp_" + strconv.Itoa(i%50000)
		a.IP = "203.0." + strconv.Itoa(i%200) + "." + strconv.Itoa(i%250)
		a.Email = "shopper" + strconv.Itoa(i%40000) + "@example.com"
		a.CustomerID = "cust_" + strconv.Itoa(i%30000)
		a.BIN = []string{"424242", "400000", "555555", "353011"}[i%4]
		a.Amount = int64(1000 + i%50000)
		out[i] = a
	}
	return out
}

// benchScreen screens and records charges with the built-in rules. ns/op
// is one Screen plus one Record; the metrics are the latency percentiles
// of Screen (the decision, on the path before the authorization) and of
// Record (after it).
func benchScreen(b *testing.B, c Counters) {
	ctx := context.Background()
	e := New(Config{Counters: c})
	as := benchAttrs(100000)
	for _, a := range as[:20000] { // warm the counters
		d, _ := e.Screen(ctx, a)
		e.Record(ctx, a, d, kessai.FraudApproved)
	}
	screen := make([]time.Duration, 0, b.N)
	record := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		a := as[i%len(as)]
		start := time.Now()
		d, err := e.Screen(ctx, a)
		if err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		if err := e.Record(ctx, a, d, kessai.FraudApproved); err != nil {
			b.Fatal(err)
		}
		screen = append(screen, mid.Sub(start))
		record = append(record, time.Since(mid))
	}
	b.StopTimer()
	for _, m := range []struct {
		name string
		lat  []time.Duration
	}{{"screen", screen}, {"record", record}} {
		slices.Sort(m.lat)
		b.ReportMetric(float64(m.lat[len(m.lat)/2].Nanoseconds()), m.name+"-p50-ns")
		b.ReportMetric(float64(m.lat[len(m.lat)*99/100].Nanoseconds()), m.name+"-p99-ns")
	}
}

func BenchmarkScreenMemory(b *testing.B) { benchScreen(b, NewMemory(0)) }

func BenchmarkScreenRedis(b *testing.B) {
	c := redisClient(b)
	benchScreen(b, NewRedis(c, "kessai:bench:"+strconv.FormatInt(time.Now().UnixNano(), 36)+":"))
}

// BenchmarkRules is the rule evaluation alone: the built-in rules against
// one environment.
func BenchmarkRules(b *testing.B) {
	var m vmHolder
	e := New(Config{})
	rs, _ := e.rules(context.Background(), scope{"acct_test_a", false})
	var env Env
	env.fill(attrs(), nil, usdRates, t0)
	score(&env)
	b.ReportAllocs()
	for b.Loop() {
		for _, ph := range rs.phases {
			for _, r := range ph {
				r.c.Match(&m.vm, &env)
			}
		}
	}
}

// redisClient returns a client of the Redis at KESSAI_TEST_REDIS (default
// 127.0.0.1:6379), or skips.
func redisClient(tb testing.TB) *redis.Client {
	addr := os.Getenv("KESSAI_TEST_REDIS")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	c := redis.NewClient(&redis.Options{Addr: addr})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		tb.Skipf("no redis at %s: %v", addr, err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}
