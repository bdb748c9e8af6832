package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/kessai/kessai"
)

// AddFraud registers the fraud management API (secret key only):
//
//	GET    /fraud/rules               the rules, built-in ones first, with counters
//	POST   /fraud/rules               rule, description, enabled, shadow
//	GET    /fraud/rules/{id}
//	PATCH  /fraud/rules/{id}          rule (custom rules), description, enabled, shadow
//	DELETE /fraud/rules/{id}          custom rules only
//	GET    /fraud/lists               list (block|allow), from, to, offset, limit, order
//	POST   /fraud/lists               list, type, value
//	GET    /fraud/lists/{id}
//	PATCH  /fraud/lists/{id}          enabled
//	DELETE /fraud/lists/{id}
//	GET    /charges/{id}/fraud        the charge's fraud decision
func (s *Server) AddFraud(svc kessai.FraudService) {
	s.Handle(http.MethodGet, "/fraud/rules", func(w http.ResponseWriter, r *http.Request) error {
		rules, err := svc.ListRules(r.Context(), AuthOf(r))
		if err != nil {
			return err
		}
		p := kessai.ListParams{From: time.Unix(0, 0).UTC(), To: s.now().UTC(), Limit: len(rules), Order: kessai.Chronological}
		return WriteJSON(w, kessai.NewList("/fraud/rules", p, rules, len(rules)))
	})
	s.Handle(http.MethodPost, "/fraud/rules", func(w http.ResponseWriter, r *http.Request) error {
		in, err := fraudRuleInput(ParamsOf(r))
		if err != nil {
			return err
		}
		if in.Rule == nil {
			return kessai.Errorf(kessai.EBadRequest, "rule is required")
		}
		rule, err := svc.CreateRule(r.Context(), AuthOf(r), in)
		if err != nil {
			return err
		}
		return WriteJSON(w, rule)
	})
	s.Handle(http.MethodGet, "/fraud/rules/{id}", func(w http.ResponseWriter, r *http.Request) error {
		id, err := fraudID(r, kessai.PrefixFraudRule, "fraud rule")
		if err != nil {
			return err
		}
		rule, err := svc.FindRule(r.Context(), AuthOf(r), id)
		if err != nil {
			return err
		}
		return WriteJSON(w, rule)
	})
	s.Handle(http.MethodPatch, "/fraud/rules/{id}", func(w http.ResponseWriter, r *http.Request) error {
		id, err := fraudID(r, kessai.PrefixFraudRule, "fraud rule")
		if err != nil {
			return err
		}
		in, err := fraudRuleInput(ParamsOf(r))
		if err != nil {
			return err
		}
		rule, err := svc.UpdateRule(r.Context(), AuthOf(r), id, in)
		if err != nil {
			return err
		}
		return WriteJSON(w, rule)
	})
	s.Handle(http.MethodDelete, "/fraud/rules/{id}", func(w http.ResponseWriter, r *http.Request) error {
		id, err := fraudID(r, kessai.PrefixFraudRule, "fraud rule")
		if err != nil {
			return err
		}
		if err := svc.DeleteRule(r.Context(), AuthOf(r), id); err != nil {
			return err
		}
		return WriteJSON(w, deletedObject{Object: "fraud_rule", ID: id, Deleted: true})
	})

	s.Handle(http.MethodGet, "/fraud/lists", func(w http.ResponseWriter, r *http.Request) error {
		p := ParamsOf(r)
		list := p.String("list")
		if err := p.Err(); err != nil {
			return err
		}
		lp, err := ListParamsOf(r)
		if err != nil {
			return err
		}
		l, err := svc.ListItems(r.Context(), AuthOf(r), list, lp)
		if err != nil {
			return err
		}
		return WriteJSON(w, l)
	})
	s.Handle(http.MethodPost, "/fraud/lists", func(w http.ResponseWriter, r *http.Request) error {
		p := ParamsOf(r)
		in := &kessai.FraudListItem{List: p.String("list"), Type: p.String("type"), Value: p.String("value")}
		if err := p.Err(); err != nil {
			return err
		}
		for _, name := range []string{"list", "type", "value"} {
			if !p.Has(name) {
				return kessai.Errorf(kessai.EBadRequest, "%s is required", name)
			}
		}
		it, err := svc.AddListItem(r.Context(), AuthOf(r), in)
		if err != nil {
			return err
		}
		return WriteJSON(w, it)
	})
	s.Handle(http.MethodGet, "/fraud/lists/{id}", func(w http.ResponseWriter, r *http.Request) error {
		id, err := fraudID(r, kessai.PrefixFraudItem, "fraud list item")
		if err != nil {
			return err
		}
		it, err := svc.FindListItem(r.Context(), AuthOf(r), id)
		if err != nil {
			return err
		}
		return WriteJSON(w, it)
	})
	s.Handle(http.MethodPatch, "/fraud/lists/{id}", func(w http.ResponseWriter, r *http.Request) error {
		id, err := fraudID(r, kessai.PrefixFraudItem, "fraud list item")
		if err != nil {
			return err
		}
		p := ParamsOf(r)
		enabled := p.Bool("enabled")
		if err := p.Err(); err != nil {
			return err
		}
		if !p.Has("enabled") {
			return kessai.Errorf(kessai.EBadRequest, "enabled is required")
		}
		it, err := svc.SetListItemEnabled(r.Context(), AuthOf(r), id, enabled)
		if err != nil {
			return err
		}
		return WriteJSON(w, it)
	})
	s.Handle(http.MethodDelete, "/fraud/lists/{id}", func(w http.ResponseWriter, r *http.Request) error {
		id, err := fraudID(r, kessai.PrefixFraudItem, "fraud list item")
		if err != nil {
			return err
		}
		if err := svc.DeleteListItem(r.Context(), AuthOf(r), id); err != nil {
			return err
		}
		return WriteJSON(w, deletedObject{Object: "fraud_list_item", ID: id, Deleted: true})
	})
	s.Handle(http.MethodGet, "/charges/{id}/fraud", func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", kessai.PrefixCharge, "charge")
		if err != nil {
			return err
		}
		d, err := svc.FindDecision(r.Context(), AuthOf(r), id)
		if err != nil {
			return err
		}
		return WriteJSON(w, d)
	})
}

// deletedObject is the answer to a DELETE.
type deletedObject struct {
	Object  string `json:"object"`
	ID      string `json:"id"`
	Deleted bool   `json:"deleted"`
}

// fraudRuleInput reads the settable fields of a rule.
func fraudRuleInput(p *Params) (*kessai.FraudRuleInput, error) {
	in := &kessai.FraudRuleInput{}
	if p.Has("rule") {
		s := p.String("rule")
		in.Rule = &s
	}
	if p.Has("description") {
		s := p.String("description")
		in.Description = &s
	}
	if p.Has("enabled") {
		b := p.Bool("enabled")
		in.Enabled = &b
	}
	if p.Has("shadow") {
		b := p.Bool("shadow")
		in.Shadow = &b
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return in, nil
}

// fraudID returns the {id} path value when it is a plausible id of the
// kind (built-in rule ids such as frul_default_card_declines included).
func fraudID(r *http.Request, prefix, kind string) (string, error) {
	id := r.PathValue("id")
	ok := strings.HasPrefix(id, prefix+"_") && len(id) <= 64
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			ok = false
			break
		}
	}
	if !ok {
		return "", kessai.Errorf(kessai.ENotFound, "%s was not found", kind)
	}
	return id, nil
}
