package chaos

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"path/filepath"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/issuersim"
	"github.com/kessai/kessai/reconcile"
	"github.com/kessai/kessai/sqlstore"
)

// CrashConfig configures the crash suite.
type CrashConfig struct {
	// Gateway says how to run the gateway; the suite sets its issuer
	// address and keys. Its Database must be fresh (or empty for SQLite in
	// the data directory).
	Gateway GatewayConfig
	// Dir holds the card company's database.
	Dir string
	// Kills is how many times the gateway is killed (default 20).
	Kills int
	// Seed seeds the moments of the kills (0: from the clock).
	Seed uint64
	// Workers is the number of concurrent clients (default 8).
	Workers int
	// MinUp and MaxUp bound how long the gateway serves between its start
	// and its kill, drawn uniformly (defaults 300 ms and 3 s).
	MinUp, MaxUp time.Duration
	// SettleWait bounds the wait for operations left in flight after the
	// load (default 4 min, past the gateway's periodic recovery).
	SettleWait time.Duration
	// Customers is the number of customers with saved cards (default 4).
	Customers int
	// Progress, if not nil, gets a line per kill.
	Progress io.Writer
}

func (c *CrashConfig) defaults() {
	if c.Kills <= 0 {
		c.Kills = 20
	}
	if c.Seed == 0 {
		c.Seed = uint64(time.Now().UnixNano())
	}
	if c.Workers <= 0 {
		c.Workers = 8
	}
	if c.MinUp <= 0 {
		c.MinUp = 300 * time.Millisecond
	}
	if c.MaxUp < c.MinUp {
		c.MaxUp = max(c.MinUp, 3*time.Second)
	}
	if c.SettleWait <= 0 {
		c.SettleWait = 4 * time.Minute
	}
	if c.Customers <= 0 {
		c.Customers = 4
	}
	if c.Progress == nil {
		c.Progress = io.Discard
	}
	if c.Gateway.PublicKey == "" {
		c.Gateway.PublicKey = "pkey_test_" + kessai.RandomString(19)
		c.Gateway.SecretKey = "skey_test_" + kessai.RandomString(19)
	}
	if c.Gateway.Database == "" {
		c.Gateway.Database = "sqlite:" + filepath.Join(c.Gateway.DataDir, "kessai.db")
	}
}

// Report is the outcome of a suite.
type Report struct {
	Suite    string
	Database string // "sqlite" or "postgres"
	// Seed is the seed of the crash suite's kill moments.
	Seed   uint64
	Kills  int
	Starts int
	Counts Counts
	// Charges and Events are how many the gateway has at the end;
	// Delivered how many webhook deliveries arrived.
	Charges, Events, Delivered int
	// Reconciled is how many charges reconciliation compared.
	Reconciled int
	// Faults lists the faults of the fault suite and what they showed.
	Faults []FaultResult
	// LeftInFlight is the most charges and refunds found in flight after
	// the load stopped, and SettledBy says what settled them.
	LeftInFlight int
	SettledBy    string
	// Violations are the broken rules: the run passed when there are none.
	Violations []string
	Took       time.Duration
}

// OK reports whether the run broke no rule.
func (r *Report) OK() bool { return len(r.Violations) == 0 }

// Crash runs the crash suite: the mixed load against the gateway, which
// is killed with SIGKILL Kills times at random moments and restarted each
// time; then it drains the gateway and checks what the package doc says.
// It returns the report, whose violations say what broke; it fails only
// when the suite cannot run (the gateway does not start, a database
// cannot be opened).
func Crash(ctx context.Context, cfg CrashConfig) (*Report, error) {
	cfg.defaults()
	start := time.Now()
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	rep := &Report{Suite: "crash", Seed: cfg.Seed, Database: dialectOf(cfg.Gateway.Database)}

	env, err := startEnv(ctx, cfg.Dir, &cfg.Gateway)
	if err != nil {
		return nil, err
	}
	defer env.close()
	gw := env.gw

	lctx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	wait := env.load.start(lctx, cfg.Workers)
	between := func() time.Duration {
		return cfg.MinUp + time.Duration(rng.Int64N(int64(cfg.MaxUp-cfg.MinUp)+1))
	}
	for i := range cfg.Kills {
		if err := sleep(ctx, between()); err != nil {
			stopLoad()
			wait()
			return nil, err
		}
		gw.Kill()
		rep.Kills++
		c, _ := env.book.snapshot()
		fmt.Fprintf(cfg.Progress, "kill %d/%d: %d requests, %d acknowledged, %d charges acknowledged\n",
			i+1, cfg.Kills, c.Requests, c.Acknowledged, c.ChargesAcked)
		// Down for a moment, sometimes none at all.
		sleep(ctx, time.Duration(rng.Int64N(int64(300*time.Millisecond))))
		if err := gw.Start(ctx); err != nil {
			stopLoad()
			wait()
			return nil, err
		}
	}
	// A last stretch of load on the restarted gateway.
	sleep(ctx, cfg.MaxUp)
	stopLoad()
	wait()
	rep.Starts = gw.Starts()
	fmt.Fprintln(cfg.Progress, "draining")
	env.finish(ctx, rep, cfg.SettleWait)
	rep.Took = time.Since(start)
	return rep, nil
}

// env is what a suite runs on: the card company, the webhook receiver,
// the gateway, the client and its book.
type env struct {
	issuer *issuersim.Server
	rc     *receiver
	gw     *Gateway
	db     *sqlstore.DB
	c      *client
	book   *book
	load   *load
}

// startEnv starts the card company (its database in dir), the webhook
// receiver and the gateway, points the merchant's webhooks at the
// receiver and creates the load's customers.
func startEnv(ctx context.Context, dir string, gc *GatewayConfig) (_ *env, err error) {
	e := &env{book: newBook()}
	defer func() {
		if err != nil {
			e.close()
		}
	}()
	if e.issuer, err = issuersim.New(issuersim.Config{DSN: "sqlite:" + filepath.Join(dir, "issuer.db")}); err != nil {
		return nil, err
	}
	if err = e.issuer.Start(ctx, "127.0.0.1:0"); err != nil {
		return nil, err
	}
	gc.IssuerAddr = e.issuer.Addr()
	if e.rc, err = newReceiver(); err != nil {
		return nil, err
	}
	if e.gw, err = NewGateway(*gc); err != nil {
		return nil, err
	}
	if err = e.gw.Start(ctx); err != nil {
		return nil, err
	}
	if e.db, err = sqlstore.Open(ctx, gc.Database); err != nil {
		return nil, fmt.Errorf("chaos: open the gateway database: %w", err)
	}
	e.c = newClient(e.gw.URL(), gc.PublicKey, gc.SecretKey, 30*time.Second)
	if a := e.c.do(ctx, "PATCH", "/account", gc.SecretKey, url.Values{"webhook_uri": {e.rc.url}}); !a.acked("account") {
		return nil, fmt.Errorf("chaos: set the webhook endpoint: %s", a)
	}
	e.load = &load{c: e.c, book: e.book, run: "chaos-" + kessai.RandomString(6), pause: 100 * time.Millisecond}
	if err = e.load.setup(ctx, 4); err != nil {
		return nil, err
	}
	return e, nil
}

// finish drains the gateway, runs the checks and fills the report.
// settleWait bounds the wait for operations left in flight (see settle).
func (e *env) finish(ctx context.Context, rep *Report, settleWait time.Duration) {
	if err := drain(ctx, e.db, 2*time.Minute); err != nil {
		rep.Violations = append(rep.Violations, "drain: "+err.Error())
	}
	if err := e.settle(ctx, rep, settleWait); err != nil {
		rep.Violations = append(rep.Violations, "settle: "+err.Error())
	}
	// Deliveries a kill interrupted wait for their lease (15 s), and a gap
	// in the event sequence holds the cursor for 10 s.
	chk, err := verify(ctx, e.c, e.db, e.issuer, e.book, e.rc, 90*time.Second)
	counts, violations := e.book.snapshot()
	rep.Counts = counts
	rep.Violations = append(rep.Violations, violations...)
	if err != nil {
		rep.Violations = append(rep.Violations, "checks could not run: "+err.Error())
		return
	}
	rep.Charges, rep.Events, rep.Delivered = chk.Charges, chk.Events, chk.Delivered
	rep.Reconciled = chk.Reconcile.Charges
	rep.Violations = append(rep.Violations, chk.Violations...)
}

// settle waits until no charge or refund is in flight (reconcile's
// InFlight is 0). An operation whose answer could not be recorded (the
// database failed) stays in flight until the gateway's periodic recovery
// takes it up, 2 to 3 minutes later; when wait passes first, settle
// restarts the gateway, whose start settles everything in flight at once,
// and notes that in the report. Fails when the gateway does not restart
// or operations are still in flight a minute after.
func (e *env) settle(ctx context.Context, rep *Report, wait time.Duration) error {
	start := time.Now()
	restarted := false
	for {
		r, err := reconcile.Run(ctx, e.db, e.issuer)
		if err != nil {
			return err
		}
		if r.InFlight == 0 && r.PendingReversals == 0 {
			if rep.LeftInFlight > 0 {
				how := "by the gateway itself"
				if restarted {
					how = "by a restart of the gateway"
				}
				rep.SettledBy = fmt.Sprintf("%s, %s after the load stopped", how, time.Since(start).Round(time.Second))
			}
			return nil
		}
		rep.LeftInFlight = max(rep.LeftInFlight, r.InFlight)
		switch {
		case !restarted && time.Since(start) > wait:
			e.gw.Stop()
			if err := e.gw.Start(ctx); err != nil {
				return err
			}
			restarted = true
		case restarted && time.Since(start) > wait+time.Minute:
			return fmt.Errorf("%d operations still in flight %s after the load stopped", r.InFlight, time.Since(start).Round(time.Second))
		}
		if err := sleep(ctx, time.Second); err != nil {
			return err
		}
	}
}

func (e *env) close() {
	if e.gw != nil {
		e.gw.Stop()
	}
	if e.db != nil {
		e.db.Close()
	}
	if e.rc != nil {
		e.rc.close()
	}
	if e.issuer != nil {
		e.issuer.Close()
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// dialectOf names the dialect of a DSN.
func dialectOf(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		return "postgres"
	}
	return "sqlite"
}
