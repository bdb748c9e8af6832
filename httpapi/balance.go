package httpapi

import (
	"net/http"

	"github.com/kessai/kessai"
)

func (s *Server) addBalance(svc kessai.BalanceService) {
	s.Handle(http.MethodGet, "/balance", func(w http.ResponseWriter, r *http.Request) error {
		b, err := svc.Balance(r.Context(), AuthOf(r))
		if err != nil {
			return err
		}
		return WriteJSON(w, b)
	})
}
