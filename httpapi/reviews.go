package httpapi

import (
	"net/http"

	"github.com/kessai/kessai"
)

// AddReviews registers the review queue (secret key only):
//
//	GET  /fraud/reviews                open (default true), from, to, offset, limit, order
//	GET  /fraud/reviews/{id}           the review of charge id
//	POST /fraud/reviews/{id}/approve   capture the held charge
//	POST /fraud/reviews/{id}/reject    reverse the held charge
func (s *Server) AddReviews(svc kessai.ReviewService) {
	s.Handle(http.MethodGet, "/fraud/reviews", func(w http.ResponseWriter, r *http.Request) error {
		p := ParamsOf(r)
		open := true
		if p.Has("open") {
			open = p.Bool("open")
		}
		if err := p.Err(); err != nil {
			return err
		}
		lp, err := ListParamsOf(r)
		if err != nil {
			return err
		}
		if !p.Has("order") {
			lp.Order = kessai.ReverseChronological
		}
		l, err := svc.ListReviews(r.Context(), AuthOf(r), open, lp)
		if err != nil {
			return err
		}
		return WriteJSON(w, l)
	})
	review := func(act func(*http.Request, string) (*kessai.Review, error)) func(http.ResponseWriter, *http.Request) error {
		return func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r, "id", kessai.PrefixCharge, "review")
			if err != nil {
				return err
			}
			rv, err := act(r, id)
			if err != nil {
				return err
			}
			return WriteJSON(w, rv)
		}
	}
	s.Handle(http.MethodGet, "/fraud/reviews/{id}", review(func(r *http.Request, id string) (*kessai.Review, error) {
		return svc.FindReview(r.Context(), AuthOf(r), id)
	}))
	s.Handle(http.MethodPost, "/fraud/reviews/{id}/approve", review(func(r *http.Request, id string) (*kessai.Review, error) {
		return svc.ApproveReview(r.Context(), AuthOf(r), id)
	}))
	s.Handle(http.MethodPost, "/fraud/reviews/{id}/reject", review(func(r *http.Request, id string) (*kessai.Review, error) {
		return svc.RejectReview(r.Context(), AuthOf(r), id)
	}))
}
