package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kessai/kessai"
)

// APIVersion is the Omise API version the server speaks; a request without
// an Omise-Version header is served as this version.
const APIVersion = "2019-05-29"

// HandlerFunc is an endpoint. It writes a success response (with
// [WriteJSON]) and returns nil, or returns an error and writes nothing: the
// server renders the error as an Omise error object.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Limits bounds what requests may cost. A zero field takes its default.
type Limits struct {
	// MaxBodyBytes is the largest request body; a larger one gets 413.
	// Default 64 KiB.
	MaxBodyBytes int64
	// AuthCacheTTL is how long a successful key lookup is reused without
	// asking the AccountService again, and so how long a revoked or expired
	// key may still be accepted by this process. Default 5 s; negative
	// turns the cache off.
	AuthCacheTTL time.Duration
	// AuthCacheSize bounds the number of cached keys. Default 10,000.
	AuthCacheSize int
	// IdempotencyTTL is how long a response is kept for its
	// Idempotency-Key. Default 24 h.
	IdempotencyTTL time.Duration
	// IdempotencyWait is how long a request waits for a concurrent request
	// with the same Idempotency-Key to finish before it gets 409. Default 2 s.
	IdempotencyWait time.Duration
	// IdempotencyLease is how long an unfinished Idempotency-Key claim
	// lasts: after it, the key is taken to be abandoned (its node died) and
	// a retry runs the request again. Default 5 min.
	IdempotencyLease time.Duration
}

func (l Limits) withDefaults() Limits {
	if l.MaxBodyBytes <= 0 {
		l.MaxBodyBytes = 64 << 10
	}
	if l.AuthCacheTTL == 0 {
		l.AuthCacheTTL = 5 * time.Second
	}
	if l.AuthCacheSize <= 0 {
		l.AuthCacheSize = 10000
	}
	if l.IdempotencyTTL <= 0 {
		l.IdempotencyTTL = 24 * time.Hour
	}
	if l.IdempotencyWait <= 0 {
		l.IdempotencyWait = 2 * time.Second
	}
	if l.IdempotencyLease <= 0 {
		l.IdempotencyLease = 5 * time.Minute
	}
	return l
}

// Config holds a [Server]'s dependencies and settings.
type Config struct {
	// Accounts authenticates API keys. Required.
	Accounts kessai.AccountService
	// Tokens serves POST /tokens and GET /tokens/{id}; when nil those
	// routes are not registered.
	Tokens kessai.TokenService
	// Idempotency stores Idempotency-Key responses; when nil the header is
	// ignored.
	Idempotency kessai.IdempotencyStore
	// Logger receives the access log and error lines; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Limits bounds requests; zero fields take their defaults.
	Limits Limits
	// Ping, when set, is called by GET /healthz: an error makes it 503.
	Ping func(context.Context) error
	// TrustProxy takes the client IP from the last X-Forwarded-For entry,
	// and sends HSTS when X-Forwarded-Proto is https. Set it only behind a
	// reverse proxy (TLS terminator) that sets those headers.
	TrustProxy bool
	// ErrorDocsURL is the base of error objects' location, which gets
	// "#<code>" appended. Default "https://www.omise.co/api-errors", since
	// the codes are Omise's.
	ErrorDocsURL string
	// TokenGuard, when set, is called first by POST /tokens with the
	// client IP and the public key's auth: an error (such as the fraud
	// engine's ERateLimited, HTTP 429) refuses the token.
	TokenGuard func(ctx context.Context, clientIP string, auth *kessai.Auth) error
	// Unavailable, when set, tells an error of the storage being out of
	// reach (database down, disk full) from a bug: such an error without
	// a code answers 503 service_unavailable with Retry-After, not 500.
	Unavailable func(error) bool
	// Observe, when set, is called after every request with its method,
	// route pattern ("unmatched" when none), status and duration; for
	// metrics. It must not block.
	Observe func(method, route string, status int, d time.Duration)
	// Ready lists the checks of GET /readyz (see [ReadyCheck]); with none
	// the server is ready whenever it runs.
	Ready []ReadyCheck
	// AuthFailures limits failed authentications per client IP; see
	// [AuthFailureLimit].
	AuthFailures AuthFailureLimit
}

// Server is the HTTP API: an [http.Handler] with the routes registered on
// it. It is safe for concurrent use once all routes are added: add them
// before it serves.
type Server struct {
	tokens     kessai.TokenService
	idem       kessai.IdempotencyStore
	log        *slog.Logger
	now        func() time.Time
	limits     Limits
	ping       func(context.Context) error
	down       func(error) bool
	trustProxy bool
	errorDocs  string
	tokenGuard func(ctx context.Context, clientIP string, auth *kessai.Auth) error
	observe    func(method, route string, status int, d time.Duration)
	checks     []ReadyCheck
	authFails  *authLimiter
	auth       *authCache
	inflight   inflight

	mux       *http.ServeMux
	mu        sync.Mutex
	endpoints map[string]*endpoint
}

// New returns a server with the built-in routes registered: GET /healthz
// and, when c.Tokens is set, POST /tokens and GET /tokens/{id}. It panics
// if c.Accounts is nil.
func New(c Config) *Server {
	if c.Accounts == nil {
		panic("httpapi: Config.Accounts is nil")
	}
	s := &Server{
		tokens:     c.Tokens,
		idem:       c.Idempotency,
		log:        c.Logger,
		now:        c.Now,
		limits:     c.Limits.withDefaults(),
		ping:       c.Ping,
		down:       c.Unavailable,
		trustProxy: c.TrustProxy,
		errorDocs:  c.ErrorDocsURL,
		tokenGuard: c.TokenGuard,
		observe:    c.Observe,
		checks:     c.Ready,
		authFails:  newAuthLimiter(c.AuthFailures),
		mux:        http.NewServeMux(),
		endpoints:  map[string]*endpoint{},
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.errorDocs == "" {
		s.errorDocs = "https://www.omise.co/api-errors"
	}
	s.auth = newAuthCache(c.Accounts, s.limits.AuthCacheTTL, s.limits.AuthCacheSize)
	s.mux.Handle("/", http.HandlerFunc(s.notFound))
	s.routes()
	return s
}

// Route describes an endpoint for [Server.Add].
type Route struct {
	// Method is the HTTP method, such as "POST". A GET route also serves
	// HEAD.
	Method string
	// Pattern is a [http.ServeMux] path pattern without method or host,
	// such as "/charges/{id}". Request paths are cleaned first, so
	// "/charges/chrg_1/" matches it too.
	Pattern string
	// Handler serves the route.
	Handler HandlerFunc
	// Keys lists the kinds of API key the route accepts; empty means the
	// secret key only.
	Keys []kessai.KeyKind
	// Anonymous routes take no credentials and no parameters (health
	// checks); Keys is then ignored.
	Anonymous bool
	// CORS lets browser scripts from any origin call the route (without
	// cookies), as the vault's token routes need.
	CORS bool
}

func (rt *Route) accepts(k kessai.KeyKind) bool {
	if len(rt.Keys) == 0 {
		return k == kessai.SecretKey
	}
	return slices.Contains(rt.Keys, k)
}

// Handle registers h for method and pattern (such as "GET",
// "/charges/{id}"), accepting the given kinds of API key (the secret key
// when none is given). It panics if the route is already registered or the
// pattern is invalid.
func (s *Server) Handle(method, pattern string, h HandlerFunc, keys ...kessai.KeyKind) {
	s.Add(Route{Method: method, Pattern: pattern, Handler: h, Keys: keys})
}

// Add registers a route. It panics if the route is already registered or
// its pattern is invalid (it must start with "/", have no trailing slash,
// and name neither a method nor a host).
func (s *Server) Add(rt Route) {
	if rt.Handler == nil || rt.Method == "" || strings.ToUpper(rt.Method) != rt.Method {
		panic(fmt.Sprintf("httpapi: bad route %s %s", rt.Method, rt.Pattern))
	}
	if !strings.HasPrefix(rt.Pattern, "/") || len(rt.Pattern) > 1 && strings.HasSuffix(rt.Pattern, "/") {
		panic(fmt.Sprintf("httpapi: bad pattern %q: it must start with / and not end with /", rt.Pattern))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.endpoints[rt.Pattern]
	if e == nil {
		e = &endpoint{srv: s, pattern: rt.Pattern, routes: map[string]*Route{}}
		s.mux.Handle(rt.Pattern, e) // panics on an invalid or conflicting pattern
		s.endpoints[rt.Pattern] = e
	}
	if e.routes[rt.Method] != nil {
		panic(fmt.Sprintf("httpapi: route %s %s registered twice", rt.Method, rt.Pattern))
	}
	e.routes[rt.Method] = &rt
	e.cors = e.cors || rt.CORS
	var methods []string
	for m := range e.routes {
		methods = append(methods, m)
		if m == http.MethodGet {
			methods = append(methods, http.MethodHead)
		}
	}
	if e.cors {
		methods = append(methods, http.MethodOptions)
	}
	slices.Sort(methods)
	e.allow = strings.Join(methods, ", ")
}

// endpoint serves one path pattern and dispatches on the method.
type endpoint struct {
	srv     *Server
	pattern string
	routes  map[string]*Route // by method
	allow   string            // the Allow header
	cors    bool
}

func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.srv.dispatch(w, r, e)
}

// notFound answers a path that matches no route.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.writeErrorObject(w, http.StatusNotFound, kessai.ENotFound, "no such endpoint: see the API reference for the paths served")
}

// ForgetKeys empties the cache of authenticated API keys, so that a key
// revoked through this process stops working at once here (other processes
// still take up to Limits.AuthCacheTTL).
func (s *Server) ForgetKeys() { s.auth.forget() }
