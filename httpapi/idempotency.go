package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/kessai/kessai"
)

// idempotent serves a POST or PATCH carrying an Idempotency-Key.
//
// The first request with a key claims it in the store, runs, and stores its
// response (status and body) for Limits.IdempotencyTTL, unless the status is
// a 5xx: then the claim is dropped so that the client may retry. A later
// request with the same key and the same request (method, path and
// canonical parameters) gets the stored response again, with the header
// Idempotent-Replayed: true; with another request it gets 400 bad_request.
//
// A request whose key is held by a request still running waits for it, up
// to Limits.IdempotencyWait (woken at once when the first runs in this
// process, polling the store every 50 ms when it runs elsewhere), and then
// gets the first one's response; if the first is still running after that,
// it gets 409 conflict and may retry later. So concurrent duplicates never
// run twice.
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, rt *Route, st *state, key string) error {
	if !validIdempotencyKey(key) {
		return kessai.Errorf(kessai.EBadRequest, "Idempotency-Key must be 1 to 255 printable ASCII characters")
	}
	k := kessai.IdempotencyKey{AccountID: st.auth.AccountID, Livemode: st.auth.Livemode, Key: key}
	hash := requestHash(r.Method, r.URL.Path, st.params)
	ctx := r.Context()
	deadline := time.Now().Add(s.limits.IdempotencyWait)
	for {
		rec, claimed, err := s.idem.Claim(ctx, k, hash, s.limits.IdempotencyTTL, s.limits.IdempotencyLease)
		if err != nil {
			return err
		}
		if claimed {
			s.runClaimed(w, r, rt, k, rec.Claim)
			return nil
		}
		if rec.RequestHash != hash {
			return kessai.Errorf(kessai.EBadRequest, "Idempotency-Key was already used for a request with other parameters")
		}
		if rec.Status != 0 {
			h := w.Header()
			h["Idempotent-Replayed"] = hdrReplayed
			writeBody(w, rec.Status, rec.Body)
			return nil
		}
		if err := s.inflight.wait(ctx, k, deadline); err != nil {
			return err
		}
	}
}

// runClaimed runs the handler of a request that holds the claim on k, and
// stores its response, or releases the claim after a 5xx or a panic.
func (s *Server) runClaimed(w http.ResponseWriter, r *http.Request, rt *Route, k kessai.IdempotencyKey, claim string) {
	rw, ok := w.(*responseWriter)
	if !ok {
		rw = &responseWriter{ResponseWriter: w}
	}
	done := s.inflight.begin(k)
	defer done()
	// The outcome must be stored even if the client went away.
	ctx := context.WithoutCancel(r.Context())
	rw.keep = true
	finished := false
	defer func() {
		rw.keep = false
		if !finished { // the handler panicked
			s.release(ctx, r, k, claim)
		}
	}()
	if err := rt.Handler(rw, r); err != nil {
		s.respondError(rw, r, err)
	}
	finished = true
	status := rw.status
	if status == 0 {
		status = http.StatusOK
	}
	if status >= 500 {
		s.release(ctx, r, k, claim)
		return
	}
	if err := s.idem.Finish(ctx, k, claim, status, rw.capture); err != nil {
		s.log.LogAttrs(ctx, slog.LevelError, "idempotency: store response",
			slog.String("request_id", RequestIDOf(r)), slog.String("error", err.Error()))
	}
}

func (s *Server) release(ctx context.Context, r *http.Request, k kessai.IdempotencyKey, claim string) {
	if err := s.idem.Release(ctx, k, claim); err != nil {
		s.log.LogAttrs(ctx, slog.LevelError, "idempotency: release key",
			slog.String("request_id", RequestIDOf(r)), slog.String("error", err.Error()))
	}
}

func validIdempotencyKey(key string) bool {
	if len(key) > 255 {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return false
		}
	}
	return true
}

// requestHash identifies a request for idempotency: a SHA-256 over its
// method, path and parameters in a canonical form (keys sorted, numbers and
// booleans as their text), so that the same request sent as a form or as
// JSON, in any key order, hashes the same.
func requestHash(method, path string, p *Params) string {
	b := make([]byte, 0, 256)
	b = appendCanon(b, method)
	b = appendCanon(b, path)
	if p != nil {
		b = appendCanon(b, p.m)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// appendCanon appends an unambiguous encoding of a parameter value.
func appendCanon(b []byte, v any) []byte {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		b = strconv.AppendInt(b, int64(len(keys)), 10)
		for _, k := range keys {
			b = appendCanon(b, k)
			b = appendCanon(b, v[k])
		}
	case []any:
		b = append(b, '[')
		b = strconv.AppendInt(b, int64(len(v)), 10)
		for _, e := range v {
			b = appendCanon(b, e)
		}
	case nil:
		b = append(b, 'z')
	default:
		s, _ := scalarText(v)
		b = append(b, 's')
		b = strconv.AppendInt(b, int64(len(s)), 10)
		b = append(b, ':')
		b = append(b, s...)
	}
	return b
}

// pollInterval is how often a waiting duplicate checks the store when the
// request holding its key runs in another process.
const pollInterval = 50 * time.Millisecond

// inflight tracks the idempotent requests running in this process, so that
// a duplicate can wait for one without polling the store.
type inflight struct {
	mu      sync.Mutex
	running map[kessai.IdempotencyKey]chan struct{}
}

// begin records that a request holding k runs; the returned func records
// that it finished.
func (f *inflight) begin(k kessai.IdempotencyKey) func() {
	ch := make(chan struct{})
	f.mu.Lock()
	if f.running == nil {
		f.running = map[kessai.IdempotencyKey]chan struct{}{}
	}
	f.running[k] = ch
	f.mu.Unlock()
	return func() {
		f.mu.Lock()
		if f.running[k] == ch {
			delete(f.running, k)
		}
		f.mu.Unlock()
		close(ch)
	}
}

// wait blocks until the request holding k may have finished: when it ends
// (if it runs here), after pollInterval (if not), and at most until
// deadline. It returns EConflict once deadline has passed, and the
// context's error if ctx ends.
func (f *inflight) wait(ctx context.Context, k kessai.IdempotencyKey, deadline time.Time) error {
	left := time.Until(deadline)
	if left <= 0 {
		return kessai.Errorf(kessai.EConflict, "a request with this Idempotency-Key is still being processed: retry later")
	}
	f.mu.Lock()
	ch := f.running[k]
	f.mu.Unlock()
	if ch == nil {
		left = min(left, pollInterval)
	}
	t := time.NewTimer(left)
	defer t.Stop()
	select {
	case <-ch: // nil when not running here: never ready
	case <-t.C:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// SweepIdempotencyKeys deletes expired Idempotency-Key records now and then
// every interval, until ctx ends. Run it in one goroutine per process;
// several processes sweeping the same database is harmless. It does nothing
// when the server has no IdempotencyStore.
func (s *Server) SweepIdempotencyKeys(ctx context.Context, every time.Duration) {
	if s.idem == nil {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := s.idem.DeleteExpired(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.LogAttrs(ctx, slog.LevelError, "idempotency: sweep expired keys", slog.String("error", err.Error()))
		} else if n > 0 {
			s.log.LogAttrs(ctx, slog.LevelInfo, "idempotency: swept expired keys", slog.Int64("deleted", n))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
