package httpapi

import (
	"net/http"

	"github.com/kessai/kessai"
)

func (s *Server) addEvents(svc kessai.EventService) {
	feed, _ := svc.(EventFeed)
	if feed != nil {
		s.addEventFeed(feed)
	}
	s.Handle(http.MethodGet, "/events", func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		if feed != nil && (q.Has("after") || q.Has("key")) {
			// The order feed: events after a cursor, in commit order.
			after, key, limit, wait, err := feedParams(r)
			if err != nil {
				return err
			}
			evs, err := feed.FeedEvents(r.Context(), AuthOf(r), after, key, limit, wait)
			if err != nil {
				return err
			}
			return WriteJSON(w, kessai.NewList("/events", kessai.ListParams{Limit: limit, Order: kessai.Chronological}, evs, len(evs)))
		}
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
