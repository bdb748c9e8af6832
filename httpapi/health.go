package httpapi

import (
	"net/http"

	"github.com/kessai/kessai"
)

type healthBody struct {
	Object string `json:"object"` // "health"
	Status string `json:"status"` // "ok"
}

// health answers GET /healthz: 200 when the server (and its database, when
// Config.Ping is set) can serve, 503 service_unavailable otherwise.
func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	if s.ping != nil {
		if err := s.ping(r.Context()); err != nil {
			return kessai.WrapError(err, kessai.EUnavailable, "the service is unavailable")
		}
	}
	return WriteJSON(w, &healthBody{Object: "health", Status: "ok"})
}
