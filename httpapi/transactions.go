package httpapi

import (
	"net/http"

	"github.com/kessai/kessai"
)

func (s *Server) addTransactions(svc kessai.TransactionService) {
	s.Handle(http.MethodGet, "/transactions", func(w http.ResponseWriter, r *http.Request) error {
		lp, err := ListParamsOf(r)
		if err != nil {
			return err
		}
		l, err := svc.ListTransactions(r.Context(), AuthOf(r), lp)
		if err != nil {
			return err
		}
		return WriteJSON(w, l)
	})
	s.Handle(http.MethodGet, "/transactions/{id}", func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", kessai.PrefixTransaction, "transaction")
		if err != nil {
			return err
		}
		t, err := svc.FindTransaction(r.Context(), AuthOf(r), id)
		if err != nil {
			return err
		}
		return WriteJSON(w, t)
	})
}
