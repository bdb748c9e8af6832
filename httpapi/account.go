package httpapi

import (
	"context"
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
	tds, _ := svc.(ThreeDSAccounts)
	if hooks == nil && tds == nil {
		return
	}
	// PATCH /account sets the webhook URL of the key's mode ("" removes it)
	// and the account's 3-D Secure settings ("" goes back to the default).
	// Every value is checked before anything is written.
	s.Handle(http.MethodPatch, "/account", func(w http.ResponseWriter, r *http.Request) error {
		p, auth := ParamsOf(r), AuthOf(r)
		uri := p.String("webhook_uri")
		var set kessai.ThreeDSecureSettings
		for _, f := range []struct {
			name string
			v    **string
		}{{"three_d_secure", &set.Mode}, {"three_d_secure_unavailable", &set.Unavailable}} {
			if p.Has(f.name) {
				v := p.String(f.name)
				*f.v = &v
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := set.Validate(); err != nil {
			return err
		}
		if set != (kessai.ThreeDSecureSettings{}) && tds == nil {
			return kessai.Errorf(kessai.EBadRequest, "3-D Secure settings cannot be changed here")
		}
		if p.Has("webhook_uri") && hooks == nil {
			return kessai.Errorf(kessai.EBadRequest, "webhook_uri cannot be changed here")
		}
		if p.Has("webhook_uri") && uri != "" && WebhookURLCheck != nil {
			if err := WebhookURLCheck(uri, auth.Livemode); err != nil {
				return kessai.Errorf(kessai.EBadRequest, "%s", err.Error())
			}
		}
		if set != (kessai.ThreeDSecureSettings{}) {
			if err := tds.SetThreeDSecure(r.Context(), auth.AccountID, set); err != nil {
				return err
			}
		}
		if p.Has("webhook_uri") {
			if err := hooks.SetWebhookURI(r.Context(), auth.AccountID, auth.Livemode, uri); err != nil {
				return err
			}
		}
		return get(w, r)
	})
	if hooks != nil {
		s.addWebhookAccount(hooks)
	}
}

// ThreeDSAccounts is the part of the account service that changes an
// account's 3-D Secure settings; *sqlstore.AccountService implements it.
type ThreeDSAccounts interface {
	// SetThreeDSecure changes the settings. Fails with EBadRequest for a
	// bad value, changing nothing.
	SetThreeDSecure(ctx context.Context, accountID string, set kessai.ThreeDSecureSettings) error
}
