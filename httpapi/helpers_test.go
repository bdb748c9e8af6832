package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/card"
	"github.com/kessai/kessai/httpapi"
)

// Test keys: test mode of acct_test_a, live mode of acct_test_a, and test
// mode of acct_test_b.
const (
	pkeyA     = "pkey_test_aaaaaaaaaaaaaaaaaaa"
	skeyA     = "skey_test_aaaaaaaaaaaaaaaaaaa"
	pkeyALive = "pkey_aaaaaaaaaaaaaaaaaaa"
	pkeyB     = "pkey_test_bbbbbbbbbbbbbbbbbbb"
	skeyB     = "skey_test_bbbbbbbbbbbbbbbbbbb"
	expired   = "skey_test_eeeeeeeeeeeeeeeeeee"
)

// fakeAccounts authenticates the test keys and counts the lookups.
type fakeAccounts struct {
	kessai.AccountService // nil: the other methods are not used
	calls                 atomic.Int64
	mu                    sync.Mutex
	keys                  map[string]*kessai.Auth
}

func newFakeAccounts() *fakeAccounts {
	a := func(acct string, kind kessai.KeyKind, live bool) *kessai.Auth {
		return &kessai.Auth{AccountID: acct, Kind: kind, Livemode: live, KeyID: "key_" + acct + string(kind)}
	}
	return &fakeAccounts{keys: map[string]*kessai.Auth{
		pkeyA:     a("acct_test_a", kessai.PublicKey, false),
		skeyA:     a("acct_test_a", kessai.SecretKey, false),
		pkeyALive: a("acct_test_a", kessai.PublicKey, true),
		pkeyB:     a("acct_test_b", kessai.PublicKey, false),
		skeyB:     a("acct_test_b", kessai.SecretKey, false),
	}}
}

func (f *fakeAccounts) Authenticate(ctx context.Context, key string) (*kessai.Auth, error) {
	f.calls.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if a, ok := f.keys[key]; ok {
		return a, nil
	}
	return nil, kessai.Errorf(kessai.EAuthenticationFailure, "authentication failed")
}

func (f *fakeAccounts) revoke(key string) {
	f.mu.Lock()
	delete(f.keys, key)
	f.mu.Unlock()
}

// fakeTokens is a TokenService that keeps tokens in memory and records
// what it was given.
type fakeTokens struct {
	mu     sync.Mutex
	tokens map[string]*kessai.Token
	raw    *card.RawInput
	ip     string
	// create, when set, replaces CreateToken's body.
	create func(ctx context.Context, auth *kessai.Auth, raw *card.RawInput) (*kessai.Token, error)
	calls  atomic.Int64
}

func (f *fakeTokens) CreateToken(ctx context.Context, auth *kessai.Auth, raw *card.RawInput, ip string) (*kessai.Token, error) {
	f.calls.Add(1)
	f.mu.Lock()
	f.raw, f.ip = raw, ip
	f.mu.Unlock()
	if f.create != nil {
		return f.create(ctx, auth, raw)
	}
	in, err := raw.Parse(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return nil, kessai.WrapError(err, kessai.EInvalidCard, err.Error())
	}
	n := in.Number.Reveal()
	id := kessai.NewID(kessai.PrefixToken, auth.Livemode)
	tok := &kessai.Token{
		Object: "token", ID: id, Livemode: auth.Livemode, Location: "/tokens/" + id,
		ChargeStatus: "unknown", AccountID: auth.AccountID,
		Card: &kessai.Card{Object: "card", ID: kessai.NewID(kessai.PrefixCard, auth.Livemode),
			Brand: string(in.Number.Brand()), LastDigits: n[len(n)-4:], Name: in.Name,
			ExpirationMonth: in.ExpirationMonth, ExpirationYear: in.ExpirationYear},
	}
	f.mu.Lock()
	if f.tokens == nil {
		f.tokens = map[string]*kessai.Token{}
	}
	f.tokens[id] = tok
	f.mu.Unlock()
	return tok, nil
}

func (f *fakeTokens) FindToken(ctx context.Context, auth *kessai.Auth, id string) (*kessai.Token, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	tok, ok := f.tokens[id]
	if !ok || tok.AccountID != auth.AccountID || tok.Livemode != auth.Livemode {
		return nil, kessai.NotFound("token", id)
	}
	return tok, nil
}

// memIdempotency is an in-memory IdempotencyStore that counts its calls.
type memIdempotency struct {
	mu      sync.Mutex
	recs    map[kessai.IdempotencyKey]*kessai.IdempotencyRecord
	calls   atomic.Int64
	n       int
	now     func() time.Time
	failing bool
}

func (m *memIdempotency) Claim(ctx context.Context, k kessai.IdempotencyKey, hash string, ttl, lease time.Duration) (*kessai.IdempotencyRecord, bool, error) {
	m.calls.Add(1)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failing {
		return nil, false, io.ErrUnexpectedEOF
	}
	now := m.now()
	if r, ok := m.recs[k]; ok && now.Before(r.ExpiresAt) && (r.Status != 0 || now.Before(r.CreatedAt.Add(lease))) {
		c := *r
		return &c, false, nil
	}
	if m.recs == nil {
		m.recs = map[kessai.IdempotencyKey]*kessai.IdempotencyRecord{}
	}
	m.n++
	r := &kessai.IdempotencyRecord{Claim: "c" + strconv.Itoa(m.n), RequestHash: hash, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	m.recs[k] = r
	c := *r
	return &c, true, nil
}

func (m *memIdempotency) Finish(ctx context.Context, k kessai.IdempotencyKey, claim string, status int, body []byte) error {
	m.calls.Add(1)
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.recs[k]
	if !ok || r.Claim != claim || r.Status != 0 {
		return kessai.Errorf(kessai.EConflict, "claim lost")
	}
	r.Status, r.Body = status, bytes.Clone(body)
	return nil
}

func (m *memIdempotency) Release(ctx context.Context, k kessai.IdempotencyKey, claim string) error {
	m.calls.Add(1)
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.recs[k]; ok && r.Claim == claim && r.Status == 0 {
		delete(m.recs, k)
	}
	return nil
}

func (m *memIdempotency) DeleteExpired(ctx context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var n int64
	for k, r := range m.recs {
		if !m.now().Before(r.ExpiresAt) {
			delete(m.recs, k)
			n++
		}
	}
	return n, nil
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// logBuffer collects log output.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// lines returns the JSON log lines.
func (l *logBuffer) lines(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// env is a server with fakes behind it.
type env struct {
	srv      *httpapi.Server
	accounts *fakeAccounts
	tokens   *fakeTokens
	idem     *memIdempotency
	clock    *clock
	log      *logBuffer
}

func newEnv(t testing.TB, edit ...func(*httpapi.Config)) *env {
	t.Helper()
	e := &env{
		accounts: newFakeAccounts(),
		tokens:   &fakeTokens{},
		clock:    &clock{t: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)},
		log:      &logBuffer{},
	}
	e.idem = &memIdempotency{now: e.clock.Now}
	c := httpapi.Config{
		Accounts:    e.accounts,
		Tokens:      e.tokens,
		Idempotency: e.idem,
		Logger:      slog.New(slog.NewJSONHandler(e.log, nil)),
		Now:         e.clock.Now,
	}
	for _, f := range edit {
		f(&c)
	}
	e.srv = httpapi.New(c)
	return e
}

// req describes a test request.
type req struct {
	method, path string
	key          string // sent as "Basic base64(key:)"; "" sends no Authorization
	body         string
	contentType  string
	header       map[string]string
}

// resp is a test response.
type resp struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into a map.
func (r *resp) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response body %q: %v", r.body, err)
	}
	return m
}

func basic(key string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(key+":"))
}

func (e *env) do(t testing.TB, rq req) *resp {
	t.Helper()
	var body io.Reader
	if rq.body != "" {
		body = strings.NewReader(rq.body)
	}
	r := httptest.NewRequest(rq.method, rq.path, body)
	if rq.key != "" {
		r.Header.Set("Authorization", basic(rq.key))
	}
	if rq.contentType != "" {
		r.Header.Set("Content-Type", rq.contentType)
	}
	for k, v := range rq.header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, r)
	return &resp{status: w.Code, header: w.Header(), body: w.Body.Bytes()}
}

// wantError checks that r is an error object with status and code.
func wantError(t testing.TB, r *resp, status int, code string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Errorf("status = %d, want %d (body %s)", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want JSON", ct)
	}
	m := r.json(t)
	if m["object"] != "error" || m["code"] != code {
		t.Errorf("body = %s, want an error object with code %s", r.body, code)
	}
	if msg, _ := m["message"].(string); msg == "" {
		t.Errorf("error without a message: %s", r.body)
	}
	if loc, _ := m["location"].(string); !strings.Contains(loc, "#"+strings.ReplaceAll(code, "_", "-")) {
		t.Errorf("location = %q", loc)
	}
	return m
}

const visa = "4242424242424242"

// tokenForm is a valid form body for POST /tokens.
const tokenForm = "card[name]=Somchai+Prasert&card[number]=4242+4242+4242+4242&card[expiration_month]=12&card[expiration_year]=2030&card[security_code]=123"

type errStatus int

func (e errStatus) Error() string { return "status " + http.StatusText(int(e)) }

func newHTTPRequest(method, url, body, key string) (*http.Request, error) {
	r, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	r.Header.Set("Authorization", basic(key))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r, nil
}
