package main

import (
	"context"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kessai/kessai/chaos"
	"github.com/kessai/kessai/internal/dbtest"
)

// envAsKessai turns the test binary into the kessai command: the chaos
// suites run it as their gateway process ("kessai dev …").
const envAsKessai = "KESSAI_TEST_AS_KESSAI"

func TestMain(m *testing.M) {
	if os.Getenv(envAsKessai) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
		stop()
		if err != nil {
			os.Stderr.WriteString("kessai: " + err.Error() + "\n")
			os.Exit(exitCode(err))
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// chaosGateway returns the gateway configuration of a chaos test: this
// test binary as kessai, on a data directory of the test.
func chaosGateway(t *testing.T) chaos.GatewayConfig {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return chaos.GatewayConfig{
		Command: []string{exe},
		Env:     []string{envAsKessai + "=1"},
		DataDir: t.TempDir(),
	}
}

// checkReport fails the test on any violation, and logs the report.
func checkReport(t *testing.T, rep *chaos.Report) {
	t.Helper()
	var b strings.Builder
	rep.WriteText(&b)
	t.Logf("\n%s", b.String())
	if !rep.OK() {
		t.Errorf("%d rules broken", len(rep.Violations))
	}
	if rep.Counts.ChargesAcked == 0 || rep.Charges < rep.Counts.ChargesAcked {
		t.Errorf("%d charges acknowledged, %d in the gateway", rep.Counts.ChargesAcked, rep.Charges)
	}
	if rep.Events == 0 || rep.Delivered < rep.Events {
		t.Errorf("%d events, %d deliveries", rep.Events, rep.Delivered)
	}
}

// TestChaosCrash is the short crash suite: the mixed load while the
// gateway is killed (SIGKILL) three times and restarted; then every
// acknowledged charge must be as acknowledged, nothing authorized twice,
// the card company's ledger reconciled and every event delivered. The
// long run is `kessai chaos crash --kills 20` (docs/reliability.md).
func TestChaosCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the gateway in child processes")
	}
	dbtest.Run(t, func(t *testing.T, dsn string) {
		gw := chaosGateway(t)
		if strings.HasPrefix(dsn, "postgres") {
			gw.Database = dsn
		}
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
		defer cancel()
		rep, err := chaos.Crash(ctx, chaos.CrashConfig{
			Gateway: gw, Dir: t.TempDir(), Kills: 3, Workers: 6,
			MinUp: 500 * time.Millisecond, MaxUp: 1500 * time.Millisecond,
			SettleWait: 10 * time.Second,
		})
		if err != nil {
			t.Fatal(err)
		}
		checkReport(t, rep)
		if rep.Kills != 3 || rep.Starts != 4 {
			t.Errorf("%d kills, %d starts; want 3 and 4", rep.Kills, rep.Starts)
		}
		// The kills hit requests: some went unanswered.
		if rep.Counts.Unanswered == 0 {
			t.Error("no request went unanswered: the kills missed the load")
		}
	})
}

// TestChaosFault is the short fault suite: the card company slow, losing
// answers, resetting connections and answering 91 and 96; the database
// gone (a private PostgreSQL cluster killed and restarted, and stopped
// for a while; SQLite's disk full on a small tmpfs). Every request must
// be answered in time with an object or an error object, the gateway must
// resume by itself, and the checks of the crash suite must pass.
func TestChaosFault(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the gateway in a child process")
	}
	for _, pg := range []bool{false, true} {
		name := map[bool]string{false: "sqlite", true: "postgres"}[pg]
		t.Run(name, func(t *testing.T) {
			if pg && os.Getenv(dbtest.EnvPostgres) == "" {
				t.Skip(dbtest.EnvPostgres + " is not set")
			}
			if pg && !hasInitdb() {
				t.Skip("no initdb under /usr/lib/postgresql/*/bin for a private cluster")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
			defer cancel()
			rep, err := chaos.Fault(ctx, chaos.FaultConfig{
				Gateway: chaosGateway(t), Dir: t.TempDir(), Postgres: pg, Workers: 6,
				Hold: 2500 * time.Millisecond, SettleWait: 10 * time.Second,
			})
			if err != nil {
				t.Fatal(err)
			}
			checkReport(t, rep)
			want := 6
			if pg {
				want = 7
			}
			if len(rep.Faults) != want {
				t.Errorf("%d faults, want %d", len(rep.Faults), want)
			}
			for _, f := range rep.Faults {
				switch {
				case f.Skipped != "":
					t.Logf("fault %s skipped: %s", f.Name, f.Skipped)
				case f.Requests == 0:
					t.Errorf("fault %s: no requests while it lasted", f.Name)
				}
			}
		})
	}
}

// hasInitdb reports whether a PostgreSQL initdb is installed.
func hasInitdb() bool {
	m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	return len(m) > 0
}
