package httpapi

import (
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/kessai/kessai"
)

// AuthFailureLimit bounds failed authentications per client IP, against
// brute-forcing of API keys: after Max failures within Window, every
// request from that IP that needs a key gets 429 too_many_requests (with a
// Retry-After header) until the window ends, and the IP, never the key, is
// logged at warn level. The count is kept per process.
type AuthFailureLimit struct {
	// Max is the number of failures allowed per window. Default 30;
	// negative turns the limit off.
	Max int
	// Window is the length of the counting window. Default 1 min.
	Window time.Duration
	// MaxClients bounds the number of IPs tracked; when full, expired
	// entries are dropped and, failing that, the new IP is counted from
	// scratch later. Default 100,000.
	MaxClients int
}

// authLimiter counts failed authentications in fixed windows per IP.
type authLimiter struct {
	max     int
	window  time.Duration
	clients int

	mu   sync.Mutex
	fail map[string]*authFailures
}

type authFailures struct {
	start time.Time // the window's start
	n     int
}

func newAuthLimiter(c AuthFailureLimit) *authLimiter {
	if c.Max < 0 {
		return nil
	}
	if c.Max == 0 {
		c.Max = 30
	}
	if c.Window <= 0 {
		c.Window = time.Minute
	}
	if c.MaxClients <= 0 {
		c.MaxClients = 100000
	}
	return &authLimiter{max: c.Max, window: c.Window, clients: c.MaxClients, fail: map[string]*authFailures{}}
}

// blocked returns how long ip must wait, or 0 when it may try.
func (l *authLimiter) blocked(ip string, now time.Time) time.Duration {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.fail[ip]
	if f == nil {
		return 0
	}
	end := f.start.Add(l.window)
	if !now.Before(end) {
		delete(l.fail, ip)
		return 0
	}
	if f.n < l.max {
		return 0
	}
	return end.Sub(now)
}

// failed counts a failure for ip and reports whether it reached the limit
// with this one.
func (l *authLimiter) failed(ip string, now time.Time) bool {
	if l == nil {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.fail[ip]
	if f == nil || !now.Before(f.start.Add(l.window)) {
		if f == nil && len(l.fail) >= l.clients {
			l.prune(now)
			if len(l.fail) >= l.clients {
				return false
			}
		}
		f = &authFailures{start: now}
		l.fail[ip] = f
	}
	f.n++
	return f.n == l.max
}

// prune drops the entries whose window has ended.
func (l *authLimiter) prune(now time.Time) {
	for ip, f := range l.fail {
		if !now.Before(f.start.Add(l.window)) {
			delete(l.fail, ip)
		}
	}
}

// checkAuthLimit refuses a request from a client IP that failed to
// authenticate too often.
func (s *Server) checkAuthLimit(w http.ResponseWriter, r *http.Request, st *state) error {
	wait := s.authFails.blocked(ClientIPOf(r), st.now)
	if wait <= 0 {
		return nil
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Round(time.Second)/time.Second)+1))
	return kessai.Errorf(kessai.ERateLimited, "too many failed authentication attempts from this address; try again later")
}

// noteAuthFailure counts a failed authentication and logs the client IP
// when it reaches the limit. The key is never logged.
func (s *Server) noteAuthFailure(r *http.Request, st *state) {
	ip := ClientIPOf(r)
	if s.authFails.failed(ip, st.now) {
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "too many failed authentications; client blocked for the window",
			slog.String("request_id", st.id),
			slog.String("client_ip", ip),
			slog.Int("failures", s.authFails.max),
			slog.Duration("window", s.authFails.window))
	}
}
