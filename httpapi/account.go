package httpapi

import (
	"net/http"

	"github.com/kessai/kessai"
)

func (s *Server) addAccount(svc kessai.AccountService) {
	hooks, _ := svc.(WebhookAccounts)
	get := func(w http.ResponseWriter, r *http.Request) error {
		auth := AuthOf(r)
		a, err := svc.FindAccount(r.Context(), auth.AccountID)
		if err != nil {
			return err
		}
		acct := *a
		acct.Livemode = auth.Livemode
		if hooks != nil {
			if acct.WebhookURI, err = hooks.WebhookURI(r.Context(), auth.AccountID, auth.Livemode); err != nil {
				return err
			}
		}
		return WriteJSON(w, &acct)
	}
	s.Handle(http.MethodGet, "/account", get)
	if hooks == nil {
		return
	}
	// PATCH /account sets the webhook URL of the key's mode ("" removes it).
	s.Handle(http.MethodPatch, "/account", func(w http.ResponseWriter, r *http.Request) error {
		p, auth := ParamsOf(r), AuthOf(r)
		uri := p.String("webhook_uri")
		if err := p.Err(); err != nil {
			return err
		}
		if p.Has("webhook_uri") {
			if uri != "" && WebhookURLCheck != nil {
				if err := WebhookURLCheck(uri, auth.Livemode); err != nil {
					return kessai.Errorf(kessai.EBadRequest, "%s", err.Error())
				}
			}
			if err := hooks.SetWebhookURI(r.Context(), auth.AccountID, auth.Livemode, uri); err != nil {
				return err
			}
		}
		return get(w, r)
	})
	s.addWebhookAccount(hooks)
}
