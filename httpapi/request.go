package httpapi

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/kessai/kessai"
)

// state is what the server knows about a request in flight; it travels in
// the request's context.
type state struct {
	srv    *Server
	id     string
	now    time.Time // the server clock when the request arrived
	route  string    // the matched pattern, "" when none matched
	auth   *kessai.Auth
	params *Params
	logger *slog.Logger
}

type stateKey struct{}

func stateOf(r *http.Request) *state {
	st, _ := r.Context().Value(stateKey{}).(*state)
	return st
}

// AuthOf returns who made the request, or nil on an anonymous route. The
// value is shared: do not modify it.
func AuthOf(r *http.Request) *kessai.Auth {
	if st := stateOf(r); st != nil {
		return st.auth
	}
	return nil
}

// ParamsOf returns the request's parameters, or nil (no parameters) on an
// anonymous route.
func ParamsOf(r *http.Request) *Params {
	if st := stateOf(r); st != nil {
		return st.params
	}
	return nil
}

// RequestIDOf returns the request's id, as sent in the Request-Id header of
// the response.
func RequestIDOf(r *http.Request) string {
	if st := stateOf(r); st != nil {
		return st.id
	}
	return ""
}

// NowOf returns the server clock's time when the request arrived.
func NowOf(r *http.Request) time.Time {
	if st := stateOf(r); st != nil {
		return st.now
	}
	return time.Now()
}

// LoggerOf returns the server's logger with the request id attached, for
// handlers that log. Never log card data or credentials with it.
func LoggerOf(r *http.Request) *slog.Logger {
	st := stateOf(r)
	if st == nil {
		return slog.Default()
	}
	if st.logger == nil {
		st.logger = st.srv.log.With(slog.String("request_id", st.id))
	}
	return st.logger
}

// ClientIPOf returns the client's IP address: the peer address, or the last
// X-Forwarded-For entry when the server is configured to trust a proxy.
func ClientIPOf(r *http.Request) string {
	if st := stateOf(r); st != nil && st.srv.trustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			last := xff[len(xff)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if ip := net.ParseIP(strings.TrimSpace(last)); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func routeOf(r *http.Request) string {
	if st := stateOf(r); st != nil && st.route != "" {
		return st.route
	}
	return "unmatched"
}

// requestID returns the client's Request-Id or X-Request-Id when it is a
// reasonable id (1 to 128 characters of [A-Za-z0-9._:+/=-]), or a new one.
func requestID(r *http.Request) string {
	for _, h := range [...]string{"Request-Id", "X-Request-Id"} {
		if v := r.Header[h]; len(v) > 0 && validRequestID(v[0]) {
			return v[0]
		}
	}
	return "req_" + strings.ToLower(rand.Text())
}

func validRequestID(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("._:+/=-", c) >= 0) {
			return false
		}
	}
	return true
}

// responseWriter records what a handler wrote, for the access log and for
// idempotency.
type responseWriter struct {
	http.ResponseWriter
	status  int
	bytes   int64
	capture []byte // non-nil while an idempotent response is being kept
	keep    bool
}

func (w *responseWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.keep {
		w.capture = append(w.capture, b...)
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *responseWriter) wrote() bool { return w.status != 0 }

func (w *responseWriter) statusOr200() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// Shared header values; net/http never modifies them and a handler that
// adds a value appends to a full slice, which copies.
var (
	hdrCSP      = []string{"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"}
	hdrNoSniff  = []string{"nosniff"}
	hdrNoStore  = []string{"no-store"}
	hdrNoRef    = []string{"no-referrer"}
	hdrHSTS     = []string{"max-age=63072000; includeSubDomains"}
	hdrJSON     = []string{"application/json; charset=utf-8"}
	hdrAnyOrig  = []string{"*"}
	hdrExpose   = []string{"Request-Id, X-Request-Id, Idempotent-Replayed"}
	hdrAllowHdr = []string{"Authorization, Content-Type, Omise-Version, Idempotency-Key, Request-Id, X-Request-Id"}
	hdrMaxAge   = []string{"600"}
	hdrReplayed = []string{"true"}
)

// ServeHTTP serves a request: it sets the request id and security headers,
// routes the request, recovers from a handler's panic, and writes the access
// log line.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	st := &state{srv: s, id: requestID(r), now: s.now()}
	rw := &responseWriter{ResponseWriter: w}
	h := w.Header()
	h["Request-Id"] = []string{st.id}
	h["X-Request-Id"] = h["Request-Id"]
	h["Content-Security-Policy"] = hdrCSP
	h["X-Content-Type-Options"] = hdrNoSniff
	h["Cache-Control"] = hdrNoStore
	h["Referrer-Policy"] = hdrNoRef
	if r.TLS != nil || s.trustProxy && r.Header.Get("X-Forwarded-Proto") == "https" {
		h["Strict-Transport-Security"] = hdrHSTS
	}
	r = r.WithContext(context.WithValue(r.Context(), stateKey{}, st))
	defer s.finish(rw, r, st, start)
	if p := cleanPath(r.URL.Path); p != r.URL.Path {
		u := *r.URL
		u.Path, u.RawPath = p, ""
		r.URL = &u
	}
	s.mux.ServeHTTP(rw, r)
}

// cleanPath returns p without a trailing slash, repeated slashes and dot
// segments.
func cleanPath(p string) string {
	if p == "" || p[0] != '/' {
		return "/" + strings.TrimLeft(p, "/")
	}
	if len(p) > 1 && (p[len(p)-1] == '/' || strings.Contains(p, "//") || strings.Contains(p, "/.")) {
		return path.Clean(p)
	}
	return p
}

// finish recovers from a panic (500, logged without the panic's value
// unless the runtime made it) and writes the access log line.
func (s *Server) finish(rw *responseWriter, r *http.Request, st *state, start time.Time) {
	if v := recover(); v != nil {
		if v == http.ErrAbortHandler {
			panic(v)
		}
		s.logPanic(r, st, v)
		if !rw.wrote() {
			s.writeErrorObject(rw, http.StatusInternalServerError, kessai.EInternal, "internal error")
		} else {
			s.accessLog(rw, r, st, start)
			panic(http.ErrAbortHandler) // the response is cut: make the client see it
		}
	}
	s.accessLog(rw, r, st, start)
	if s.observe != nil {
		s.observe(r.Method, routeOf(r), rw.statusOr200(), time.Since(start))
	}
}

func (s *Server) accessLog(rw *responseWriter, r *http.Request, st *state, start time.Time) {
	ctx := r.Context()
	if !s.log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	status := rw.status
	if status == 0 {
		status = http.StatusOK
	}
	var account string
	var live bool
	if st.auth != nil {
		account, live = st.auth.AccountID, st.auth.Livemode
	}
	route := st.route
	if route == "" {
		route = "unmatched"
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "request",
		slog.String("request_id", st.id),
		slog.String("method", r.Method),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Duration("duration", time.Since(start)),
		slog.String("account_id", account),
		slog.Bool("livemode", live),
		slog.Int64("bytes", rw.bytes))
}
