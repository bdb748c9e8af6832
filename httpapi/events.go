package httpapi

import (
	"net/http"

	"github.com/kessai/kessai"
)

func (s *Server) addEvents(svc kessai.EventService) {
	s.Handle(http.MethodGet, "/events", func(w http.ResponseWriter, r *http.Request) error {
		lp, err := ListParamsOf(r)
		if err != nil {
			return err
		}
		l, err := svc.ListEvents(r.Context(), AuthOf(r), lp)
		if err != nil {
			return err
		}
		return WriteJSON(w, l)
	})
	s.Handle(http.MethodGet, "/events/{id}", func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", kessai.PrefixEvent, "event")
		if err != nil {
			return err
		}
		e, err := svc.FindEvent(r.Context(), AuthOf(r), id)
		if err != nil {
			return err
		}
		return WriteJSON(w, e)
	})
	s.Handle(http.MethodGet, "/charges/{id}/events", func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", kessai.PrefixCharge, "charge")
		if err != nil {
			return err
		}
		lp, err := ListParamsOf(r)
		if err != nil {
			return err
		}
		l, err := svc.ListObjectEvents(r.Context(), AuthOf(r), id, lp)
		if err != nil {
			return err
		}
		return WriteJSON(w, l)
	})
}
