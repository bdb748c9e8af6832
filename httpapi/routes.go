package httpapi

import (
	"net/http"

	"github.com/kessai/kessai"
)

// routes registers the built-in routes.
func (s *Server) routes() {
	s.Add(Route{Method: http.MethodGet, Pattern: "/healthz", Handler: s.health, Anonymous: true})
	s.Add(Route{Method: http.MethodGet, Pattern: "/readyz", Handler: s.ready, Anonymous: true})
	if s.tokens != nil {
		s.Add(Route{Method: http.MethodPost, Pattern: "/tokens", Handler: s.createToken,
			Keys: []kessai.KeyKind{kessai.PublicKey}, CORS: true})
		s.Add(Route{Method: http.MethodGet, Pattern: "/tokens/{id}", Handler: s.getToken,
			Keys: []kessai.KeyKind{kessai.PublicKey, kessai.SecretKey}, CORS: true})
	}
}
