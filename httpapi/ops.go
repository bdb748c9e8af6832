package httpapi

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/kessai/kessai"
)

// ReadyCheck is one condition of GET /readyz.
type ReadyCheck struct {
	// Name names the part in the response, such as "database".
	Name string
	// Check returns nil when the part is ready. Its error is logged, not
	// sent: it may hold internal detail.
	Check func(context.Context) error
}

// readyTimeout bounds each readiness check.
const readyTimeout = 3 * time.Second

type readyBody struct {
	Object   string            `json:"object"` // "readiness" or "error"
	Location string            `json:"location,omitempty"`
	Code     string            `json:"code,omitempty"`
	Status   string            `json:"status,omitempty"` // "ready"
	Message  string            `json:"message,omitempty"`
	NotReady []string          `json:"not_ready,omitempty"`
	Checks   map[string]string `json:"checks"` // name → "ok" or "not_ready"
}

// ready answers GET /readyz: 200 when every Config.Ready check passes, else
// 503 with an error object (code service_unavailable) whose not_ready
// field names the parts that are not ready.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) error {
	body := &readyBody{Object: "readiness", Status: "ready", Checks: map[string]string{}}
	for _, c := range s.checks {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		err := c.Check(ctx)
		cancel()
		if err != nil {
			body.Checks[c.Name] = "not_ready"
			body.NotReady = append(body.NotReady, c.Name)
			s.log.LogAttrs(r.Context(), slog.LevelWarn, "not ready",
				slog.String("request_id", RequestIDOf(r)), slog.String("part", c.Name), slog.String("error", err.Error()))
			continue
		}
		body.Checks[c.Name] = "ok"
	}
	if len(body.NotReady) == 0 {
		return WriteJSON(w, body)
	}
	body.Object, body.Status = "error", ""
	body.Code = kessai.EUnavailable
	body.Location = s.errorDocs + "#" + strings.ReplaceAll(kessai.EUnavailable, "_", "-")
	body.Message = "not ready: " + strings.Join(body.NotReady, ", ")
	writeJSONStatus(w, http.StatusServiceUnavailable, body)
	return nil
}

// AddMetrics serves h (the Prometheus exposition) at GET /metrics to
// clients on a loopback address and, when token is not empty, to clients
// that send "Authorization: Bearer <token>". Anyone else gets 404
// not_found, as for a path that does not exist. The client address is
// the one [ClientIPOf] returns, so behind a trusted proxy it is the
// proxy's client, not the proxy.
func (s *Server) AddMetrics(h http.Handler, token string) {
	s.Add(Route{Method: http.MethodGet, Pattern: "/metrics", Anonymous: true,
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			if !metricsAllowed(r, token) {
				return kessai.Errorf(kessai.ENotFound, "no such endpoint: see the API reference for the paths served")
			}
			h.ServeHTTP(w, r)
			return nil
		}})
}

// metricsAllowed reports whether r may read the metrics.
func metricsAllowed(r *http.Request, token string) bool {
	if token != "" {
		const prefix = "Bearer "
		if a := r.Header.Get("Authorization"); len(a) > len(prefix) && strings.EqualFold(a[:len(prefix)], prefix) &&
			subtle.ConstantTimeCompare([]byte(a[len(prefix):]), []byte(token)) == 1 {
			return true
		}
	}
	ip := net.ParseIP(ClientIPOf(r))
	return ip != nil && ip.IsLoopback()
}
