package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kessai/kessai/cmd/kessai/app"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/issuersim"
	"github.com/kessai/kessai/sqlstore"
)

// envCrashGateway names the environment variable that turns this test
// binary into the gateway of TestCrashRecovery: it holds the path of a
// gatewaySpec.
const envCrashGateway = "KESSAI_TEST_CRASH_GATEWAY"

// gatewaySpec is what the gateway process of TestCrashRecovery runs on.
type gatewaySpec struct {
	DataDir    string        `json:"data_dir"`
	Database   string        `json:"database"`
	IssuerAddr string        `json:"issuer_addr"`
	Timeout    time.Duration `json:"timeout"`
	PublicKey  string        `json:"public_key"`
	SecretKey  string        `json:"secret_key"`
}

// readyFile is written by the gateway process once it serves: its API URL.
const readyFile = "gateway-ready.json"

// TestCrashGateway is not a test of its own: TestCrashRecovery runs the
// test binary again with envCrashGateway set, and this then runs a dev
// gateway (the card company runs in the parent) until it is killed or its
// standard input closes.
func TestCrashGateway(t *testing.T) {
	path := os.Getenv(envCrashGateway)
	if path == "" {
		t.Skip("the gateway process of TestCrashRecovery")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var spec gatewaySpec
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	cfg := &app.Config{
		Dev:          true,
		DataDir:      spec.DataDir,
		Database:     spec.Database,
		KEK:          "file:" + filepath.Join(spec.DataDir, "kek.key"),
		HTTP:         "127.0.0.1:0",
		LogFormat:    "json",
		Issuer:       app.IssuerConfig{Address: spec.IssuerAddr, Timeout: app.Duration(spec.Timeout)},
		DevPublicKey: spec.PublicKey,
		DevSecretKey: spec.SecretKey,
	}
	a, err := app.Start(context.Background(), cfg, app.NewLogger(os.Stderr, "json", slog.LevelInfo))
	if err != nil {
		t.Fatal(err)
	}
	ready, _ := json.Marshal(map[string]string{"api_url": a.BaseURL()})
	tmp := filepath.Join(spec.DataDir, readyFile+".tmp")
	if err := os.WriteFile(tmp, ready, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(spec.DataDir, readyFile)); err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, os.Stdin) // until the parent closes it, or dies
	a.Close()
}

// gatewayProc is a gateway running in a child process.
type gatewayProc struct {
	cmd   *exec.Cmd
	stdin io.Closer
	logs  *syncBuffer
	url   string
	done  chan struct{}
}

// startGateway runs the gateway of spec in a child process and waits until
// it serves.
func startGateway(t *testing.T, spec gatewaySpec) *gatewayProc {
	t.Helper()
	b, _ := json.Marshal(spec)
	path := filepath.Join(spec.DataDir, "gateway-spec.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	ready := filepath.Join(spec.DataDir, readyFile)
	os.Remove(ready)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashGateway$", "-test.count=1")
	cmd.Env = append(os.Environ(), envCrashGateway+"="+path)
	g := &gatewayProc{cmd: cmd, logs: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = g.logs, g.logs
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	g.stdin = stdin
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { cmd.Wait(); close(g.done) }()
	t.Cleanup(func() {
		g.stop()
		if t.Failed() {
			t.Logf("gateway process (pid %d) log:\n%s", cmd.Process.Pid, tail(g.logs.String(), 40))
		}
	})
	waitFor(t, "the gateway process serving", func() bool {
		select {
		case <-g.done:
			t.Fatalf("the gateway process ended:\n%s", tail(g.logs.String(), 40))
		default:
		}
		b, err := os.ReadFile(ready)
		var r struct {
			APIURL string `json:"api_url"`
		}
		if err != nil || json.Unmarshal(b, &r) != nil {
			return false
		}
		g.url = r.APIURL
		return true
	})
	return g
}

// kill ends the gateway process at once, as a crash would.
func (g *gatewayProc) kill(t *testing.T) {
	t.Helper()
	if err := g.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-g.done
}

// stop ends the gateway process gracefully (it closes when its standard
// input does), or kills it.
func (g *gatewayProc) stop() {
	g.stdin.Close()
	select {
	case <-g.done:
	case <-time.After(patience):
		g.cmd.Process.Kill()
		<-g.done
	}
}

// TestCrashRecovery kills the gateway while authorizations wait at a slow
// card company, which approves them after the gateway is gone, and
// restarts it on the same data: every charge must end failed or successful
// exactly once, the approvals nobody recorded must be reversed, and the
// gateway and the card company must agree.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the gateway in a child process")
	}
	kessaiCmd := buildKessai(t)
	dbtest.Run(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		dir := t.TempDir()
		if strings.HasPrefix(dsn, "sqlite:") {
			// Where `kessai reconcile --data` looks.
			dsn = "sqlite:" + filepath.Join(dir, "kessai.db")
		}
		// The card company runs here, so that it outlives the gateway.
		issuer, err := issuersim.New(issuersim.Config{DSN: "sqlite:" + filepath.Join(dir, "issuer.db")})
		if err != nil {
			t.Fatal(err)
		}
		if err := issuer.Start(ctx, "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		defer issuer.Close()
		spec := gatewaySpec{
			DataDir: dir, Database: dsn, IssuerAddr: issuer.Addr(), Timeout: 5 * time.Second,
			PublicKey: "pkey_test_" + "5crash5crash5crash5", SecretKey: "skey_test_" + "5crash5crash5crash5",
		}
		gw := startGateway(t, spec)
		c := &api{t: t, base: gw.url, pkey: spec.PublicKey, skey: spec.SecretKey}
		db, err := sqlstore.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()

		// Settled before the crash: two charges, one partly refunded.
		var settled []string
		for _, amount := range []int64{1000, 2000} {
			settled = append(settled, c.charge("4242424242424242", amount)["id"].(string))
		}
		if res, _ := c.do("POST", "/charges/"+settled[1]+"/refunds", c.skey, url.Values{"amount": {"500"}}); res.Status != 200 {
			t.Fatalf("refund: %d %s", res.Status, res.Body)
		}

		// Several charges wait at the slow card company when the gateway
		// dies; it processes them anyway.
		const inFlight = 5
		var tokens []string
		for range inFlight {
			tokens = append(tokens, c.token("5555555555554444"))
		}
		const latency = 1500 * time.Millisecond
		issuer.SetFaults(issuersim.Faults{Latency: latency, MTIs: authMTIs})
		var wg sync.WaitGroup
		for i, tok := range tokens {
			wg.Go(func() {
				// No answer is expected: the gateway dies first.
				c.send(ctx, "POST", "/charges", c.skey, url.Values{
					"amount": {fmt.Sprint(3000 + i)}, "currency": {"jpy"}, "card": {tok},
				})
			})
		}
		waitFor(t, "the authorizations in flight", func() bool {
			pending, err := db.StaleNetworkMessages(ctx, time.Now().Add(time.Hour), 100)
			return err == nil && len(pending) == inFlight
		})
		time.Sleep(50 * time.Millisecond) // for the last one to leave the socket
		gw.kill(t)
		wg.Wait()
		// The card company takes the money for requests whose sender is
		// gone (normally all of them; only ones that reached it, anyway).
		taken := func() int {
			entries, err := issuer.Ledger(ctx, issuersim.LedgerQuery{})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, e := range entries {
				if e.Reference != settled[0] && e.Reference != settled[1] &&
					(e.Kind == issuersim.LedgerHold || e.Kind == issuersim.LedgerCapture) {
					n++
				}
			}
			return n
		}
		end := time.Now().Add(latency + 10*time.Second)
		for taken() < inFlight && time.Now().Before(end) {
			time.Sleep(20 * time.Millisecond)
		}
		t.Logf("the card company took money for %d of the %d requests in flight", taken(), inFlight)
		issuer.SetFaults(issuersim.Faults{})

		// The restarted gateway reverses what it left in flight.
		gw = startGateway(t, spec)
		c.base = gw.url
		if !strings.Contains(gw.logs.String(), fmt.Sprintf(`"msg":"settled payments a previous run left in flight","count":%d`, inFlight)) {
			t.Errorf("the restarted gateway did not settle %d charges at start", inFlight)
		}
		report := reconciled(t, db, issuer)
		if report.Charges != len(settled)+inFlight {
			t.Errorf("reconciled %d charges, want %d", report.Charges, len(settled)+inFlight)
		}
		list, _ := c.do("GET", "/charges?limit=100", c.skey, nil)
		data, _ := list.Object["data"].([]any)
		if len(data) != len(settled)+inFlight {
			t.Fatalf("%d charges after the restart: %s", len(data), tail(list.Body, 5))
		}
		for _, d := range data {
			id := d.(map[string]any)["id"].(string)
			if id == settled[0] || id == settled[1] {
				c.settledOnce(id, "successful", "")
				continue
			}
			c.settledOnce(id, "failed", "timeout")
			if n, open := holds(t, issuer, id); n > 1 || open != 0 {
				t.Errorf("issuer: charge %s taken %d times, %d still taken", id, n, open)
			}
		}

		// And it takes new charges.
		c.settledOnce(c.charge("4242424242424242", 700)["id"].(string), "successful", "")
		reconciled(t, db, issuer)

		// The command says the same.
		if kessaiCmd == "" {
			return
		}
		args := []string{"reconcile", "--wait", "30s", "--data", dir}
		if !strings.HasPrefix(dsn, "sqlite:") {
			cfg := filepath.Join(dir, "config.json")
			b, _ := json.Marshal(map[string]any{"database": dsn, "issuer": map[string]string{"database": "sqlite:" + filepath.Join(dir, "issuer.db")}})
			if err := os.WriteFile(cfg, b, 0o600); err != nil {
				t.Fatal(err)
			}
			args = []string{"reconcile", "--wait", "30s", "--config", cfg}
		}
		out, err := exec.Command(kessaiCmd, args...).CombinedOutput()
		want := fmt.Sprintf("charges: %d, refunds: 1, issuer references: %d\npending reversals: 0\n", len(settled)+inFlight+1, report.References+1)
		if err != nil || !strings.HasPrefix(string(out), want) || !strings.Contains(string(out), "\nmismatches: 0\n") {
			t.Errorf("kessai %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	})
}

// buildKessai builds the kessai command for the test and returns its
// path, or "" when the go command is not at hand.
func buildKessai(t *testing.T) string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Log("no go command: kessai reconcile is not run")
		return ""
	}
	path := filepath.Join(t.TempDir(), "kessai")
	if out, err := exec.Command(goCmd, "build", "-o", path, "github.com/kessai/kessai/cmd/kessai").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return path
}
