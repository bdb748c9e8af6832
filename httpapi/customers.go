package httpapi

import (
	"net/http"

	"github.com/kessai/kessai"
)

func (s *Server) addCustomers(svc kessai.CustomerService) {
	s.Handle(http.MethodPost, "/customers", func(w http.ResponseWriter, r *http.Request) error {
		p := ParamsOf(r)
		in := &kessai.CustomerInput{
			Email:       optString(p, "email"),
			Description: optString(p, "description"),
			Card:        p.String("card"),
			Metadata:    metadata(p),
		}
		if err := p.Err(); err != nil {
			return err
		}
		c, err := svc.CreateCustomer(r.Context(), AuthOf(r), in)
		if err != nil {
			return err
		}
		return WriteJSON(w, c)
	})
	s.Handle(http.MethodGet, "/customers", func(w http.ResponseWriter, r *http.Request) error {
		lp, err := ListParamsOf(r)
		if err != nil {
			return err
		}
		l, err := svc.ListCustomers(r.Context(), AuthOf(r), lp)
		if err != nil {
			return err
		}
		return WriteJSON(w, l)
	})
	s.Handle(http.MethodGet, "/customers/{id}", func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", kessai.PrefixCustomer, "customer")
		if err != nil {
			return err
		}
		c, err := svc.FindCustomer(r.Context(), AuthOf(r), id)
		if err != nil {
			return err
		}
		return WriteJSON(w, c)
	})
	s.Handle(http.MethodPatch, "/customers/{id}", func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", kessai.PrefixCustomer, "customer")
		if err != nil {
			return err
		}
		p := ParamsOf(r)
		upd := &kessai.CustomerUpdate{
			Email:       optString(p, "email"),
			Description: optString(p, "description"),
			Card:        p.String("card"),
			DefaultCard: p.String("default_card"),
			Metadata:    metadata(p),
		}
		if err := p.Err(); err != nil {
			return err
		}
		c, err := svc.UpdateCustomer(r.Context(), AuthOf(r), id, upd)
		if err != nil {
			return err
		}
		return WriteJSON(w, c)
	})
	s.Handle(http.MethodDelete, "/customers/{id}", func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", kessai.PrefixCustomer, "customer")
		if err != nil {
			return err
		}
		d, err := svc.DeleteCustomer(r.Context(), AuthOf(r), id)
		if err != nil {
			return err
		}
		return WriteJSON(w, d)
	})

	s.Handle(http.MethodGet, "/customers/{id}/cards", func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", kessai.PrefixCustomer, "customer")
		if err != nil {
			return err
		}
		lp, err := ListParamsOf(r)
		if err != nil {
			return err
		}
		l, err := svc.ListCards(r.Context(), AuthOf(r), id, lp)
		if err != nil {
			return err
		}
		return WriteJSON(w, l)
	})
	cardIDs := func(r *http.Request) (string, string, error) {
		id, err := pathID(r, "id", kessai.PrefixCustomer, "customer")
		if err != nil {
			return "", "", err
		}
		cid, err := pathID(r, "card", kessai.PrefixCard, "card")
		return id, cid, err
	}
	s.Handle(http.MethodGet, "/customers/{id}/cards/{card}", func(w http.ResponseWriter, r *http.Request) error {
		id, cid, err := cardIDs(r)
		if err != nil {
			return err
		}
		c, err := svc.FindCard(r.Context(), AuthOf(r), id, cid)
		if err != nil {
			return err
		}
		return WriteJSON(w, c)
	})
	s.Handle(http.MethodPatch, "/customers/{id}/cards/{card}", func(w http.ResponseWriter, r *http.Request) error {
		id, cid, err := cardIDs(r)
		if err != nil {
			return err
		}
		p := ParamsOf(r)
		upd := &kessai.CardUpdate{Name: optString(p, "name"), City: optString(p, "city"), PostalCode: optString(p, "postal_code")}
		if p.Has("expiration_month") {
			m := int(p.Int64("expiration_month"))
			upd.ExpirationMonth = &m
		}
		if p.Has("expiration_year") {
			y := int(p.Int64("expiration_year"))
			upd.ExpirationYear = &y
		}
		if err := p.Err(); err != nil {
			return recode(err, kessai.EInvalidCard)
		}
		c, err := svc.UpdateCard(r.Context(), AuthOf(r), id, cid, upd)
		if err != nil {
			return err
		}
		return WriteJSON(w, c)
	})
	s.Handle(http.MethodDelete, "/customers/{id}/cards/{card}", func(w http.ResponseWriter, r *http.Request) error {
		id, cid, err := cardIDs(r)
		if err != nil {
			return err
		}
		d, err := svc.DeleteCard(r.Context(), AuthOf(r), id, cid)
		if err != nil {
			return err
		}
		return WriteJSON(w, d)
	})
}
