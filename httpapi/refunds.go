package httpapi

import (
	"net/http"

	"github.com/kessai/kessai"
)

func (s *Server) addRefunds(svc kessai.RefundService) {
	s.Handle(http.MethodPost, "/charges/{id}/refunds", func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", kessai.PrefixCharge, "charge")
		if err != nil {
			return err
		}
		p := ParamsOf(r)
		in := &kessai.RefundInput{Amount: p.Int64("amount"), Metadata: metadata(p), Void: p.Has("void") && p.Bool("void")}
		if err := p.Err(); err != nil {
			return err
		}
		if !p.Has("amount") {
			return kessai.Errorf(kessai.EInvalidAmount, "amount is required")
		}
		f, err := svc.CreateRefund(r.Context(), AuthOf(r), id, in)
		if err != nil {
			return err
		}
		return WriteJSON(w, f)
	})
	s.Handle(http.MethodGet, "/charges/{id}/refunds", func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", kessai.PrefixCharge, "charge")
		if err != nil {
			return err
		}
		lp, err := ListParamsOf(r)
		if err != nil {
			return err
		}
		l, err := svc.ListRefunds(r.Context(), AuthOf(r), id, lp)
		if err != nil {
			return err
		}
		return WriteJSON(w, l)
	})
	s.Handle(http.MethodGet, "/charges/{id}/refunds/{refund}", func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", kessai.PrefixCharge, "charge")
		if err != nil {
			return err
		}
		rid, err := pathID(r, "refund", kessai.PrefixRefund, "refund")
		if err != nil {
			return err
		}
		f, err := svc.FindRefund(r.Context(), AuthOf(r), id, rid)
		if err != nil {
			return err
		}
		return WriteJSON(w, f)
	})
}
