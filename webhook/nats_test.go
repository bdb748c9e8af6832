package webhook_test

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/natsfanout"
	"github.com/kessai/kessai/sqlstore"
	"github.com/kessai/kessai/webhook"
)

// natsURL returns the NATS server for tests (KESSAI_TEST_NATS, default
// the local one) and skips the test when none answers.
func natsURL(t *testing.T) string {
	url := os.Getenv("KESSAI_TEST_NATS")
	if url == "" {
		url = "nats://127.0.0.1:4222"
	}
	c, err := net.DialTimeout("tcp", url[len("nats://"):], time.Second)
	if err != nil {
		t.Skipf("no NATS server at %s: %v", url, err)
	}
	c.Close()
	return url
}

// countingBus counts the deliveries a node took off the bus.
type countingBus struct {
	*natsfanout.Bus
	mu    sync.Mutex
	taken int
}

func (b *countingBus) Consume(ctx context.Context, take func(context.Context, string) error) error {
	return b.Bus.Consume(ctx, func(ctx context.Context, id string) error {
		err := take(ctx, id)
		if err == nil {
			b.mu.Lock()
			b.taken++
			b.mu.Unlock()
		}
		return err
	})
}

// TestNATSTwoNodes: two nodes on one PostgreSQL database share the
// deliveries over NATS JetStream; every event committed on either is
// delivered, once, through the bus.
func TestNATSTwoNodes(t *testing.T) {
	url := natsURL(t)
	dsn := dbtest.PostgresDSN(t)
	ctx := context.Background()
	var buses []*countingBus
	stream := "KESSAI_TEST_" + kessai.RandomString(8)
	for i := range 2 {
		b, err := natsfanout.Open(ctx, url, stream)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if i == 0 {
				b.DeleteStream(context.Background())
			}
			b.Close()
		})
		buses = append(buses, &countingBus{Bus: b})
	}
	rc := newReceiver(t, false, nil)
	cfg := fastConfig()
	cfg.Handoff = 30 * time.Second // the database's own claim pass stays out of it
	cfg.Bus = buses[0]
	a := newEnv(t, dbtest.Open(t, dsn), cfg)
	a.setURI(t, false, rc.URL)
	cfg = fastConfig()
	cfg.Handoff = 30 * time.Second
	cfg.Bus = buses[1]
	dbB := dbtest.Open(t, dsn)
	cfg.DB, cfg.Accounts = dbB, &sqlstore.AccountService{DB: dbB}
	nodeB := webhook.New(cfg)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { nodeB.Run(runCtx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	b := &env{db: dbB, acct: a.acct}

	const n = 40
	var wg sync.WaitGroup
	for _, node := range []*env{a, b} {
		wg.Go(func() {
			for range n / 2 {
				node.addEvent(t, false, "chrg_test_1")
			}
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for len(seen) < n {
		var ev struct{ ID string }
		h := rc.wait(t, 20*time.Second)
		if err := json.Unmarshal(h.body, &ev); err != nil {
			t.Fatal(err)
		}
		seen[ev.ID] = true
	}
	// Each attempt is recorded after its answer.
	var attempts int
	for deadline := time.Now().Add(10 * time.Second); attempts < n && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		a.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_attempts`).Scan(&attempts)
	}
	time.Sleep(300 * time.Millisecond)
	a.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_attempts`).Scan(&attempts)
	taken := 0
	for _, b := range buses {
		b.mu.Lock()
		taken += b.taken
		b.mu.Unlock()
	}
	if rc.count() != n || attempts != n || taken != n {
		t.Errorf("%d events: %d requests, %d attempts, %d taken off the bus; want %d each", n, rc.count(), attempts, taken, n)
	}
	t.Logf("node A took %d, node B %d", buses[0].taken, buses[1].taken)
}

// lossyBus loses every announcement and never offers anything.
type lossyBus struct {
	mu        sync.Mutex
	published []string
}

func (b *lossyBus) Publish(_ context.Context, ids []string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.published = append(b.published, ids...)
	return nil
}

func (b *lossyBus) Consume(ctx context.Context, _ func(context.Context, string) error) error {
	<-ctx.Done()
	return nil
}

// TestBusLost: a delivery announced on a bus that loses it is claimed from
// the database after the handoff, and delivered once; a second claim of
// it (its message offered again after a node died) takes nothing.
func TestBusLost(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		rc := newReceiver(t, false, nil)
		bus := &lossyBus{}
		cfg := fastConfig()
		cfg.Bus = bus
		cfg.Handoff = 300 * time.Millisecond
		e := newEnv(t, db, cfg)
		e.setURI(t, false, rc.URL)
		ev := e.addEvent(t, false, "chrg_test_1")
		h := rc.wait(t, 10*time.Second)
		if d := h.at.Sub(ev.CreatedAt.Time); d < cfg.Handoff {
			t.Errorf("delivered %v after the event's creation, before the %v handoff", d, cfg.Handoff)
		}
		e.attempts(t, ev, 1, 5*time.Second)
		bus.mu.Lock()
		ids := slices.Clone(bus.published)
		bus.mu.Unlock()
		if len(ids) != 1 {
			t.Fatalf("announced %v, want one delivery", ids)
		}
		if _, ok, err := db.ClaimDelivery(context.Background(), ids[0], "other-node", time.Minute); err != nil || ok {
			t.Errorf("claim of a delivered delivery = %v, %v; want false", ok, err)
		}
		time.Sleep(200 * time.Millisecond)
		if n := rc.count(); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
}
