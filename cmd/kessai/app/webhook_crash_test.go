package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kessai/kessai/cmd/kessai/app"
	"github.com/kessai/kessai/sqlstore"
)

// envWebhookGateway turns this test binary into the gateway of
// TestWebhookCrash: it holds the data directory.
const envWebhookGateway = "KESSAI_TEST_WEBHOOK_GATEWAY"

// TestWebhookCrashGateway is not a test of its own: TestWebhookCrash runs
// the test binary again with envWebhookGateway set, and this then runs a
// dev platform on that directory until it is killed or its standard input
// closes. It writes the credentials (with the API URL) to ready.json.
func TestWebhookCrashGateway(t *testing.T) {
	dir := os.Getenv(envWebhookGateway)
	if dir == "" {
		t.Skip("the gateway process of TestWebhookCrash")
	}
	cfg := &app.Config{
		Dev:       true,
		DataDir:   dir,
		Database:  "sqlite:" + filepath.Join(dir, "kessai.db"),
		KEK:       "file:" + filepath.Join(dir, "kek.key"),
		HTTP:      "127.0.0.1:0",
		LogFormat: "json",
		Issuer:    app.IssuerConfig{Run: true, Listen: "127.0.0.1:0", Database: "sqlite:" + filepath.Join(dir, "issuer.db")},
	}
	a, err := app.Start(context.Background(), cfg, app.NewLogger(os.Stderr, "json", slog.LevelWarn))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(a.Credentials())
	os.WriteFile(filepath.Join(dir, "ready.json.tmp"), b, 0o600)
	os.Rename(filepath.Join(dir, "ready.json.tmp"), filepath.Join(dir, "ready.json"))
	io.Copy(io.Discard, os.Stdin)
	a.Close()
}

// startWebhookGateway runs the platform of dir in a child process and
// returns its credentials and the process.
func startWebhookGateway(t *testing.T, dir string) (*app.Credentials, *exec.Cmd) {
	t.Helper()
	os.Remove(filepath.Join(dir, "ready.json"))
	cmd := exec.Command(os.Args[0], "-test.run=^TestWebhookCrashGateway$", "-test.count=1")
	cmd.Env = append(os.Environ(), envWebhookGateway+"="+dir)
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	stdin, _ := cmd.StdinPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(60 * time.Second)
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "ready.json")); err == nil {
			var c app.Credentials
			if err := json.Unmarshal(b, &c); err != nil {
				t.Fatal(err)
			}
			return &c, cmd
		}
		if time.Now().After(deadline) {
			t.Fatalf("gateway did not start:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWebhookCrash kills the gateway (SIGKILL) while deliveries are in
// flight and charges are being made, and restarts it: every charge that
// was acknowledged has its event in the feed, every event of the feed is
// delivered at least once, and the feed shows every event exactly once, in
// order.
func TestWebhookCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the platform twice in child processes")
	}
	dir := t.TempDir()
	var mu sync.Mutex
	got := map[string]int{} // event id → deliveries answered
	started := 0            // deliveries received
	slow := true
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var e struct {
			ID string `json:"id"`
		}
		json.NewDecoder(r.Body).Decode(&e)
		mu.Lock()
		started++
		delay := slow
		mu.Unlock()
		if delay {
			// Hold deliveries in flight for the kill.
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
				return
			}
		}
		mu.Lock()
		got[e.ID]++
		mu.Unlock()
	}))
	defer rc.Close()

	creds, cmd := startWebhookGateway(t, dir)
	call := func(method, path string, body url.Values) response {
		t.Helper()
		return doAt(t, creds.APIURL, method, path, creds.SecretKey, body)
	}
	if res := call("PATCH", "/account", url.Values{"webhook_uri": {rc.URL}}); res.Status != 200 {
		t.Fatalf("PATCH /account: %d %s", res.Status, res.Body)
	}
	// charge makes a charge and returns its id, "" when the gateway did
	// not answer (it was killed).
	charge := func(base string) string {
		form := cardForm("4242424242424242", "12", "2031", "123")
		tok, err := tryAt(base, "POST", "/tokens", creds.PublicKey, form)
		if err != nil || tok.Status != 200 {
			return ""
		}
		res, err := tryAt(base, "POST", "/charges", creds.SecretKey, url.Values{"amount": {"1000"}, "currency": {"jpy"}, "card": {tok.Object["id"].(string)}})
		if err != nil || res.Status != 200 {
			return ""
		}
		return res.Object["id"].(string)
	}
	const n = 12
	var acked []string // charges the gateway answered
	for range n {
		id := charge(creds.APIURL)
		if id == "" {
			t.Fatal("charge failed before the kill")
		}
		acked = append(acked, id)
	}
	// Charges go on through the kill.
	var amu sync.Mutex
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if id := charge(creds.APIURL); id != "" {
					amu.Lock()
					acked = append(acked, id)
					amu.Unlock()
				}
			}
		})
	}
	time.Sleep(300 * time.Millisecond) // deliveries are now waiting on the receiver
	cmd.Process.Kill()
	cmd.Wait()
	close(stop)
	wg.Wait()
	mu.Lock()
	before, inFlight := len(got), started
	slow = false
	mu.Unlock()
	if inFlight == 0 {
		t.Fatal("no delivery was in flight at the kill")
	}

	creds, _ = startWebhookGateway(t, dir)
	// Every acknowledged charge's event is in the feed (it may take the
	// restarted worker a moment to fan out what the dead one had not).
	feedOnce := func() (feed []string, byCharge map[string]string) {
		byCharge = map[string]string{}
		after := ""
		for {
			q := url.Values{"limit": {"100"}, "key": {""}}
			if after != "" {
				q.Set("after", after)
			}
			res := doAt(t, creds.APIURL, "GET", "/events?"+q.Encode(), creds.SecretKey, nil)
			data, _ := res.Object["data"].([]any)
			if len(data) == 0 {
				return feed, byCharge
			}
			for _, d := range data {
				ev := d.(map[string]any)
				after = ev["id"].(string)
				feed = append(feed, after)
				if ev["key"] == "charge.create" {
					byCharge[ev["data"].(map[string]any)["id"].(string)] = after
				}
			}
		}
	}
	var feed []string
	var byCharge map[string]string
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		feed, byCharge = feedOnce()
		lost := 0
		for _, id := range acked {
			if byCharge[id] == "" {
				lost++
			}
		}
		if lost == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d acknowledged charges have no charge.create event in the feed", lost, len(acked))
		}
	}
	seen := map[string]bool{}
	for _, id := range feed {
		if seen[id] {
			t.Errorf("event %s twice in the feed", id)
		}
		seen[id] = true
	}
	// The feed is the whole outbox in commit (seq) order.
	db, err := sqlstore.Open(context.Background(), "sqlite:"+filepath.Join(dir, "kessai.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	evs, err := db.EventsAfter(context.Background(), "", false, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var outbox []string
	for _, e := range evs {
		outbox = append(outbox, e.ID)
	}
	if !slices.Equal(feed, outbox) {
		t.Errorf("feed differs from the outbox in seq order:\nfeed   %v\noutbox %v", feed, outbox)
	}
	deadline := time.Now().Add(40 * time.Second)
	for {
		mu.Lock()
		missing := 0
		for _, id := range feed {
			if got[id] == 0 {
				missing++
			}
		}
		mu.Unlock()
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d events never delivered", missing, len(feed))
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("%d charges acknowledged (%d during the kill), %d events; %d deliveries in flight and %d answered at the kill, all delivered after the restart",
		len(acked), len(acked)-n, len(feed), inFlight, before)
}

// tryAt is [doAt] that reports a failed request instead of failing.
func tryAt(base, method, path, key string, body url.Values) (response, error) {
	req, err := http.NewRequest(method, base+path, strings.NewReader(body.Encode()))
	if err != nil {
		return response{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(key, "")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return response{}, err
	}
	out := response{Status: res.StatusCode, Body: string(raw)}
	json.Unmarshal(raw, &out.Object)
	return out, nil
}

// doAt sends a request to the API at base with the key as Basic auth user.
func doAt(t *testing.T, base, method, path, key string, body url.Values) response {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = strings.NewReader(body.Encode())
	}
	req, err := http.NewRequest(method, base+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.SetBasicAuth(key, "")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := response{Status: res.StatusCode, Body: string(raw)}
	json.Unmarshal(raw, &out.Object)
	return out
}
