package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxBody is the most of a response body a scenario reads.
const maxBody = 1 << 20

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
func (s *tokens) Prepare(_ context.Context, t Target) (Target, func(), error) {
	if t.PublicKey == "" {
		return t, nil, errors.New("bench: the tokens scenario needs a public key")
	}
	return t, func() {}, nil
}

func (s *tokens) Do(ctx context.Context, c *http.Client, t Target) error {
	card := randomCard(time.Now())
	var body []byte
	contentType := "application/json"
	if s.form {
		contentType = "application/x-www-form-urlencoded"
		body = []byte(url.Values{
			"card[name]":             {card.Name},
			"card[number]":           {card.Number},
			"card[expiration_month]": {strconv.Itoa(card.ExpirationMonth)},
			"card[expiration_year]":  {strconv.Itoa(card.ExpirationYear)},
			"card[security_code]":    {card.SecurityCode},
			"card[city]":             {card.City},
			"card[postal_code]":      {card.PostalCode},
		}.Encode())
	} else {
		var err error
		if body, err = json.Marshal(map[string]testCard{"card": card}); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.BaseURL+"/tokens", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.SetBasicAuth(t.PublicKey, "")
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	return expectObject(c, req, "token", "tokn_")
}

// expectObject sends req and checks that the answer is 200 with a JSON
// object of the given kind whose id has the given prefix. It reads and
// closes the body, so that the connection can be reused.
func expectObject(c *http.Client, req *http.Request, object, idPrefix string) error {
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if err != nil {
		return err
	}
	var v struct {
		Object string `json:"object"`
		ID     string `json:"id"`
		Code   string `json:"code"`
	}
	jsonErr := json.Unmarshal(b, &v)
	if res.StatusCode != http.StatusOK {
		se := &StatusError{Status: res.StatusCode}
		if jsonErr == nil && v.Object == "error" && len(v.Code) <= 64 {
			se.Code = v.Code
		}
		return se
	}
	switch {
	case jsonErr != nil:
		return &ResponseError{Reason: "body is not a JSON object"}
	case v.Object != object:
		return &ResponseError{Reason: "object is " + strconv.Quote(v.Object) + ", not " + strconv.Quote(object)}
	case !strings.HasPrefix(v.ID, idPrefix):
		return &ResponseError{Reason: "id does not start with " + idPrefix}
	}
	return nil
}
