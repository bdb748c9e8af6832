package bench

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Tokens returns the "tokens" scenario: POST /tokens with a random approved
// test card, authenticated with the public key, expecting 200 and a token
// object. The card is sent as JSON, or as a form (card[number]=…) when form
// is true; the scenario is then named "tokens-form".
func Tokens(form bool) Scenario { return &tokens{form: form} }

type tokens struct{ form bool }

func (s *tokens) Name() string {
	if s.form {
		return "tokens-form"
	}
	return "tokens"
}

// Prepare fails when the target has no public key.
func (s *tokens) Prepare(_ context.Context, _ *http.Client, t Target) (Target, func(), error) {
	if t.PublicKey == "" {
		return t, nil, errors.New("bench: the tokens scenario needs a public key")
	}
	return t, func() {}, nil
}

func (s *tokens) Do(ctx context.Context, c *http.Client, t Target) error {
	req, err := tokenRequest(ctx, t, s.form)
	if err != nil {
		return err
	}
	return expectObject(c, req, "token", "tokn_")
}

// createToken creates a token of a random approved test card, as the
// tokens scenario does, and returns its id. It fails as [call] does.
func createToken(ctx context.Context, c *http.Client, t Target) (string, error) {
	req, err := tokenRequest(ctx, t, false)
	if err != nil {
		return "", err
	}
	var tok apiObject
	if err := call(c, req, "token", "tokn_", &tok); err != nil {
		return "", step("POST /tokens", err)
	}
	return tok.ID, nil
}

// tokenRequest returns a POST /tokens of a random approved test card with
// t's public key, as JSON or, when form is true, as a form.
func tokenRequest(ctx context.Context, t Target, form bool) (*http.Request, error) {
	card := randomCard(time.Now())
	if !form {
		return newRequest(ctx, t, http.MethodPost, "/tokens", t.PublicKey, map[string]testCard{"card": card})
	}
	body := url.Values{
		"card[name]":             {card.Name},
		"card[number]":           {card.Number},
		"card[expiration_month]": {strconv.Itoa(card.ExpirationMonth)},
		"card[expiration_year]":  {strconv.Itoa(card.ExpirationYear)},
		"card[security_code]":    {card.SecurityCode},
		"card[city]":             {card.City},
		"card[postal_code]":      {card.PostalCode},
	}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.BaseURL+"/tokens", strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(t.PublicKey, "")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	return req, nil
}
