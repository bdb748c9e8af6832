package httpapi

import (
	"net/http"

	"github.com/kessai/kessai"
)

func (s *Server) addAccount(svc kessai.AccountService) {
	s.Handle(http.MethodGet, "/account", func(w http.ResponseWriter, r *http.Request) error {
		auth := AuthOf(r)
		a, err := svc.FindAccount(r.Context(), auth.AccountID)
		if err != nil {
			return err
		}
		acct := *a
		acct.Livemode = auth.Livemode
		return WriteJSON(w, &acct)
	})
}
