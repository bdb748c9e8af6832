package app_test

import (
	"context"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kessai/kessai/cmd/kessai/app"
	"github.com/kessai/kessai/internal/dbtest"
)

const redisURL = "redis://127.0.0.1:6379/0"

// TestFraudRedisTwoNodes runs two gateway nodes on one PostgreSQL database
// with their velocity counters in Redis (fraud.redis_url): a card declined
// three times through node A is blocked on node B by the built-in
// declines-per-card rule, which B's own traffic could not have tripped.
func TestFraudRedisTwoNodes(t *testing.T) {
	dsn := dbtest.PostgresDSN(t) // skips without KESSAI_TEST_POSTGRES
	if c, err := net.DialTimeout("tcp", "127.0.0.1:6379", time.Second); err != nil {
		t.Skipf("no redis at 127.0.0.1:6379: %v", err)
	} else {
		c.Close()
	}
	// A prefix of this run's own: the token guard's per-IP counts span
	// accounts, and this Redis is shared with other runs.
	prefix := "kessai:test:" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":"
	a := startPlatformWith(t, dsn, func(c *app.Config) { c.Fraud.RedisURL, c.Fraud.RedisPrefix = redisURL, prefix })
	b := startPlatformWith(t, dsn, func(c *app.Config) {
		c.Fraud.RedisURL, c.Fraud.RedisPrefix = redisURL, prefix
		c.KEK = "file:" + filepath.Join(a.dir, "kek.key")
		c.Issuer = app.IssuerConfig{Address: a.IssuerAddr()}
	})
	if b.creds.AccountID != a.creds.AccountID {
		t.Fatalf("node B serves account %s, A %s", b.creds.AccountID, a.creds.AccountID)
	}
	charge := func(p *platform) map[string]any {
		t.Helper()
		res := p.do("POST", "/tokens", p.creds.PublicKey, cardForm("4111111111140011", "12", "2031", "123"))
		if res.Status != 200 {
			t.Fatalf("token: %d %s", res.Status, res.Body)
		}
		res = p.do("POST", "/charges", p.creds.SecretKey, url.Values{"amount": {"1000"}, "currency": {"jpy"}, "card": {res.Object["id"].(string)}})
		if res.Status != 200 {
			t.Fatalf("charge: %d %s", res.Status, res.Body)
		}
		return res.Object
	}
	for i := range 3 {
		if ch := charge(a); ch["failure_code"] != "insufficient_fund" {
			t.Fatalf("charge %d on A: %v %v, want an issuer decline", i, ch["status"], ch["failure_code"])
		}
	}
	ch := charge(b)
	if ch["failure_code"] != "failed_fraud_check" {
		t.Fatalf("fourth charge, on B: %v %v, want failed_fraud_check", ch["status"], ch["failure_code"])
	}
	res := b.do("GET", "/charges/"+ch["id"].(string)+"/fraud", b.creds.SecretKey, nil)
	rules, _ := res.Object["rules"].([]any)
	found := false
	for _, r := range rules {
		found = found || r.(map[string]any)["id"] == "frul_default_card_declines"
	}
	if !found {
		t.Errorf("decision on B: %s", res.Body)
	}
}

// TestFraudRedisUnreachable checks that a platform configured with a Redis
// that does not answer refuses to start, naming the setting.
func TestFraudRedisUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	cfg := &app.Config{
		Dev: true, DataDir: dir, Database: dbtest.SQLiteDSN(t), KEK: "file:" + dir + "/kek.key", HTTP: "127.0.0.1:0",
		Issuer: app.IssuerConfig{Run: true, Listen: "127.0.0.1:0", Database: "sqlite:" + dir + "/issuer.db"},
		Fraud:  app.FraudConfig{RedisURL: "redis://" + addr + "/0"},
	}
	a, err := app.Start(context.Background(), cfg, app.NewLogger(&syncBuffer{}, "json", 0))
	if err == nil {
		a.Close()
		t.Fatal("started with an unreachable fraud Redis")
	}
	if got := err.Error(); !strings.Contains(got, "fraud redis") {
		t.Errorf("error %q does not name the setting", got)
	}
}
