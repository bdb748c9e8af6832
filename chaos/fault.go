package chaos

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/issuersim"
)

// FaultConfig configures the fault suite.
type FaultConfig struct {
	// Gateway says how to run the gateway; the suite sets its database
	// (a private PostgreSQL cluster, or SQLite on a small volume), its
	// issuer address, timeout and keys.
	Gateway GatewayConfig
	// Dir holds the card company's database and the volumes.
	Dir string
	// Postgres runs the gateway on a private PostgreSQL cluster (from
	// PGBin, default the newest /usr/lib/postgresql/*/bin) instead of
	// SQLite.
	Postgres bool
	PGBin    string
	// Workers is the number of concurrent clients (default 8).
	Workers int
	// Hold is how long each fault lasts (default 3 s).
	Hold time.Duration
	// IssuerTimeout is the link's timeout (default 2 s); the latency
	// spikes are longer.
	IssuerTimeout time.Duration
	// SettleWait bounds the wait for operations a fault left in flight
	// (default 4 min, past the gateway's periodic recovery).
	SettleWait time.Duration
	// Only, when not empty, runs only the faults with these names.
	Only []string
	// Progress, if not nil, gets a line per fault.
	Progress io.Writer
}

// AnswerBound is how long the fault suite lets a request wait for its
// answer: the client's timeout. A request the gateway does not answer in
// that time is a violation (a hang).
const AnswerBound = 30 * time.Second

// recoverWithin bounds how long after a fault clears a charge must
// succeed again.
const recoverWithin = 60 * time.Second

// fault is one fault of the suite: apply breaks something, clear mends it.
type fault struct {
	name  string
	apply func(ctx context.Context) error
	clear func(ctx context.Context) error
}

// Fault runs the fault suite: the mixed load against the gateway while
// the card company is slow, drops answers, resets connections and
// answers 91 and 96, and while the database is unavailable (PostgreSQL
// killed and restarted, or stopped for a while; SQLite's disk full).
// During each fault every request must be answered within [AnswerBound],
// with the object asked for or an error object; after it, a charge must
// succeed within a minute without help. At the end the checks of the
// crash suite run. It returns the report; it fails only when the suite
// cannot run.
func Fault(ctx context.Context, cfg FaultConfig) (rep *Report, err error) {
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.Hold <= 0 {
		cfg.Hold = 3 * time.Second
	}
	if cfg.IssuerTimeout <= 0 {
		cfg.IssuerTimeout = 2 * time.Second
	}
	if cfg.SettleWait <= 0 {
		cfg.SettleWait = 4 * time.Minute
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	start := time.Now()
	rep = &Report{Suite: "fault", Database: "sqlite"}
	gc := cfg.Gateway
	gc.IssuerTimeout = cfg.IssuerTimeout
	if gc.PublicKey == "" {
		gc.PublicKey = "pkey_test_" + kessai.RandomString(19)
		gc.SecretKey = "skey_test_" + kessai.RandomString(19)
	}

	var dbFaults []fault
	var diskSkip string
	if cfg.Postgres {
		rep.Database = "postgres"
		pg, err := startCluster(ctx, cfg.PGBin)
		if err != nil {
			return nil, fmt.Errorf("chaos: private PostgreSQL cluster: %w", err)
		}
		defer pg.Close()
		dsn, _, err := FreshPostgres(ctx, pg.URL())
		if err != nil {
			return nil, err
		}
		gc.Database = dsn
		dbFaults = []fault{
			{"postgres killed and restarted",
				func(ctx context.Context) error {
					if err := pg.Stop(ctx, "immediate"); err != nil {
						return err
					}
					return pg.Start(ctx)
				},
				func(context.Context) error { return nil }},
			{"postgres down",
				func(ctx context.Context) error { return pg.Stop(ctx, "fast") },
				func(ctx context.Context) error { return pg.Start(ctx) }},
		}
	} else if len(cfg.Only) > 0 && !slices.Contains(cfg.Only, "sqlite disk full") {
		gc.Database = "sqlite:" + filepath.Join(gc.DataDir, "kessai.db")
	} else {
		// Room for the whole run's data and a full write-ahead log
		// (sqlstore restarts it past 32 MiB): only the filler fills it.
		disk, err := mountSmallDisk(filepath.Join(cfg.Dir, "small-disk"), 512<<20)
		if err != nil {
			diskSkip = err.Error()
			gc.Database = "sqlite:" + filepath.Join(gc.DataDir, "kessai.db")
		} else {
			defer disk.unmount()
			gc.Database = "sqlite:" + filepath.Join(disk.dir, "kessai.db")
			dbFaults = []fault{{"sqlite disk full",
				func(context.Context) error { _, err := disk.fill(); return err },
				func(context.Context) error { return disk.free() }}}
		}
	}

	e, err := startEnv(ctx, cfg.Dir, &gc)
	if err != nil {
		return nil, err
	}
	defer e.close()
	e.book.setStrict(true)
	e.c.http.Timeout = AnswerBound
	issuer := e.issuer
	set := func(f issuersim.Faults) func(context.Context) error {
		return func(context.Context) error { issuer.SetFaults(f); return nil }
	}
	none := set(issuersim.Faults{})
	slow := 2*cfg.IssuerTimeout + time.Second
	faults := []fault{
		{"issuer latency spikes", set(issuersim.Faults{Latency: slow}), none},
		{"issuer drops answers", set(issuersim.Faults{DropShare: 0.5}), none},
		{"issuer resets connections", set(issuersim.Faults{DisconnectShare: 0.3}), none},
		{"issuer 91 storm", set(issuersim.Faults{DeclineShare: 1, DeclineCode: "91"}), none},
		{"issuer 96 storm", set(issuersim.Faults{DeclineShare: 0.7, DeclineCode: "96"}), none},
	}
	faults = append(faults, dbFaults...)

	lctx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	wait := e.load.start(lctx, cfg.Workers)
	sleep(ctx, time.Second) // load before the first fault
	for _, f := range faults {
		if len(cfg.Only) > 0 && !slices.Contains(cfg.Only, f.name) {
			continue
		}
		res := FaultResult{Name: f.name}
		before, _ := e.book.snapshot()
		e.book.resetSlowest()
		fmt.Fprintf(cfg.Progress, "fault: %s\n", f.name)
		if err := f.apply(ctx); err != nil {
			stopLoad()
			wait()
			return nil, fmt.Errorf("chaos: %s: %w", f.name, err)
		}
		sleep(ctx, cfg.Hold)
		if err := f.clear(ctx); err != nil {
			stopLoad()
			wait()
			return nil, fmt.Errorf("chaos: clear %s: %w", f.name, err)
		}
		took, ok := e.recovered(ctx, recoverWithin)
		if !ok {
			rep.Violations = append(rep.Violations, fmt.Sprintf("%s: no charge succeeded within %s after the fault cleared", f.name, recoverWithin))
			res.Recovered = "never"
		} else {
			res.Recovered = took.Round(time.Millisecond).String()
		}
		// The requests the fault held up answer by the link's timeout:
		// count them with it.
		sleep(ctx, cfg.IssuerTimeout+time.Second-min(took, cfg.IssuerTimeout+time.Second))
		after, _ := e.book.snapshot()
		res.Requests = after.Requests - before.Requests
		res.Acknowledged = after.Acknowledged - before.Acknowledged
		res.ErrorObjects = after.ErrorObjects - before.ErrorObjects
		res.Unanswered = after.Unanswered - before.Unanswered
		res.Slowest = after.Slowest.Round(time.Millisecond).String()
		rep.Faults = append(rep.Faults, res)
		sleep(ctx, time.Second)
	}
	if diskSkip != "" {
		rep.Faults = append(rep.Faults, FaultResult{Name: "sqlite disk full", Skipped: diskSkip})
	}
	stopLoad()
	wait()
	fmt.Fprintln(cfg.Progress, "draining")
	e.finish(ctx, rep, cfg.SettleWait)
	rep.Took = time.Since(start)
	return rep, nil
}

// recovered waits until the gateway is ready (GET /healthz answers 200)
// and a charge of a new token succeeds, and returns how long that took,
// or false after within.
func (e *env) recovered(ctx context.Context, within time.Duration) (time.Duration, bool) {
	start := time.Now()
	for time.Since(start) < within && ctx.Err() == nil {
		if h := e.c.do(ctx, "GET", "/healthz", e.c.skey, nil); h.Err == nil && h.Status == 200 {
			if ch := e.load.charge(ctx, e.load.n.Add(1), true, false, true); ch != nil && ch.Status == "successful" {
				return time.Since(start), true
			}
		}
		sleep(ctx, 100*time.Millisecond)
	}
	return time.Since(start), false
}
