package httpapi

import (
	"net/http"

	"github.com/kessai/kessai"
)

// Payments are the services behind the payment endpoints of the Omise API.
// A nil service leaves its endpoints out.
type Payments struct {
	Charges      kessai.ChargeService
	Refunds      kessai.RefundService
	Customers    kessai.CustomerService
	Events       kessai.EventService
	Transactions kessai.TransactionService
	Balance      kessai.BalanceService
	Search       kessai.SearchService
	// Accounts serves GET /account.
	Accounts kessai.AccountService
}

// AddPayments registers the payment endpoints on s: charges (with capture,
// reverse, expire, events and refunds), customers and their cards, events,
// transactions, balance, account and search. All take the secret key. It
// panics if one of them is registered already.
func (s *Server) AddPayments(p Payments) {
	if p.Charges != nil {
		s.addCharges(p.Charges)
	}
	if p.Events != nil {
		s.addEvents(p.Events)
	}
	if p.Refunds != nil {
		s.addRefunds(p.Refunds)
	}
	if p.Customers != nil {
		s.addCustomers(p.Customers)
	}
	if p.Transactions != nil {
		s.addTransactions(p.Transactions)
	}
	if p.Balance != nil {
		s.addBalance(p.Balance)
	}
	if p.Accounts != nil {
		s.addAccount(p.Accounts)
	}
	if p.Search != nil {
		s.addSearch(p.Search)
	}
}

// pathID returns the path value name when it is a well-formed id of the
// object kind prefix, and otherwise fails with ENotFound naming the kind
// only (an id that is not one may be anything, even card data).
func pathID(r *http.Request, name, prefix, kind string) (string, error) {
	id := r.PathValue(name)
	if !wellFormedID(id, prefix) {
		return "", kessai.Errorf(kessai.ENotFound, "%s was not found", kind)
	}
	return id, nil
}

// optString returns a string parameter, or nil when it is absent or empty.
func optString(p *Params, name string) *string {
	if !p.Has(name) {
		return nil
	}
	s := p.String(name)
	if s == "" {
		return nil
	}
	return &s
}

// metadata returns the metadata parameter, or nil when it is absent.
func metadata(p *Params) kessai.Metadata {
	if !p.Has("metadata") {
		return nil
	}
	m := p.Map("metadata")
	if m == nil {
		return nil
	}
	return kessai.Metadata(m)
}

func (s *Server) addCharges(svc kessai.ChargeService) {
	s.Handle(http.MethodPost, "/charges", func(w http.ResponseWriter, r *http.Request) error {
		p := ParamsOf(r)
		in := &kessai.ChargeInput{
			Amount:               p.Int64("amount"),
			Currency:             p.String("currency"),
			Card:                 p.String("card"),
			Customer:             p.String("customer"),
			Description:          optString(p, "description"),
			Metadata:             metadata(p),
			IP:                   optString(p, "ip"),
			ReturnURI:            optString(p, "return_uri"),
			AuthorizationType:    p.String("authorization_type"),
			WebhookEndpoints:     p.Strings("webhook_endpoints"),
			TransactionIndicator: p.String("transaction_indicator"),
			Authentication:       p.String("authentication"),
		}
		if p.Has("capture") {
			c := p.Bool("capture")
			in.Capture = &c
		}
		if p.Has("expires_at") {
			t := p.Time("expires_at")
			in.ExpiresAt = &t
		}
		if err := p.Err(); err != nil {
			return err
		}
		if !p.Has("amount") {
			return kessai.Errorf(kessai.EInvalidCharge, "amount is required")
		}
		ch, err := svc.CreateCharge(r.Context(), AuthOf(r), in)
		if err != nil {
			return err
		}
		return WriteJSON(w, ch)
	})
	s.Handle(http.MethodGet, "/charges", func(w http.ResponseWriter, r *http.Request) error {
		lp, err := ListParamsOf(r)
		if err != nil {
			return err
		}
		l, err := svc.ListCharges(r.Context(), AuthOf(r), lp)
		if err != nil {
			return err
		}
		return WriteJSON(w, l)
	})
	s.Handle(http.MethodGet, "/charges/{id}", func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", kessai.PrefixCharge, "charge")
		if err != nil {
			return err
		}
		ch, err := svc.FindCharge(r.Context(), AuthOf(r), id)
		if err != nil {
			return err
		}
		return WriteJSON(w, ch)
	})
	s.Handle(http.MethodPatch, "/charges/{id}", func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", kessai.PrefixCharge, "charge")
		if err != nil {
			return err
		}
		p := ParamsOf(r)
		// omise-go sends "description":"" with every update: an empty
		// description leaves the description as it is.
		upd := &kessai.ChargeUpdate{Description: optString(p, "description"), Metadata: metadata(p)}
		if err := p.Err(); err != nil {
			return err
		}
		ch, err := svc.UpdateCharge(r.Context(), AuthOf(r), id, upd)
		if err != nil {
			return err
		}
		return WriteJSON(w, ch)
	})
	s.Handle(http.MethodPost, "/charges/{id}/capture", func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", kessai.PrefixCharge, "charge")
		if err != nil {
			return err
		}
		p := ParamsOf(r)
		amount := p.Int64("capture_amount")
		if err := p.Err(); err != nil {
			return err
		}
		if p.Has("capture_amount") && amount <= 0 {
			return kessai.Errorf(kessai.EInvalidAmount, "capture_amount must be positive")
		}
		ch, err := svc.CaptureCharge(r.Context(), AuthOf(r), id, amount)
		if err != nil {
			return err
		}
		return WriteJSON(w, ch)
	})
	for _, op := range []struct {
		path string
		do   func(*http.Request, string) (*kessai.Charge, error)
	}{
		{"/charges/{id}/reverse", func(r *http.Request, id string) (*kessai.Charge, error) {
			return svc.ReverseCharge(r.Context(), AuthOf(r), id)
		}},
		{"/charges/{id}/expire", func(r *http.Request, id string) (*kessai.Charge, error) {
			return svc.ExpireCharge(r.Context(), AuthOf(r), id)
		}},
	} {
		s.Handle(http.MethodPost, op.path, func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r, "id", kessai.PrefixCharge, "charge")
			if err != nil {
				return err
			}
			ch, err := op.do(r, id)
			if err != nil {
				return err
			}
			return WriteJSON(w, ch)
		})
	}
}
