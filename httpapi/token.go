package httpapi

import (
	"net/http"
	"strings"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/card"
)

// createToken serves POST /tokens (public key): it turns the card
// parameters into a token through the TokenService. A missing card is
// invalid_card. The card's values are never logged or echoed: errors name
// the parameter only. The TokenGuard, if any, is asked first.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	if s.tokenGuard != nil {
		if err := s.tokenGuard(r.Context(), ClientIPOf(r), AuthOf(r)); err != nil {
			return err
		}
	}
	p := ParamsOf(r)
	if !p.Has("card") {
		return kessai.Errorf(kessai.EInvalidCard, "card is required")
	}
	c := p.Object("card")
	if err := p.Err(); err != nil {
		return kessai.Errorf(kessai.EInvalidCard, "card must be an object with the card's fields, such as card[number]")
	}
	raw := &card.RawInput{
		Name:            c.String("name"),
		Number:          c.String("number"),
		ExpirationMonth: c.String("expiration_month"),
		ExpirationYear:  c.String("expiration_year"),
		SecurityCode:    c.String("security_code"),
		City:            c.String("city"),
		PostalCode:      c.String("postal_code"),
		Country:         c.String("country"),
		State:           c.String("state"),
		Street1:         c.String("street1"),
		Street2:         c.String("street2"),
		PhoneNumber:     c.String("phone_number"),
		Email:           c.String("email"),
	}
	if err := p.Err(); err != nil {
		return kessai.Errorf(kessai.EInvalidCard, "%s", kessai.ErrorMessage(err))
	}
	tok, err := s.tokens.CreateToken(r.Context(), AuthOf(r), raw, ClientIPOf(r))
	if err != nil {
		return err
	}
	return WriteJSON(w, tok)
}

// getToken serves GET /tokens/{id} (public or secret key).
func (s *Server) getToken(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if !wellFormedID(id, kessai.PrefixToken) {
		return kessai.Errorf(kessai.ENotFound, "token was not found")
	}
	tok, err := s.tokens.FindToken(r.Context(), AuthOf(r), id)
	if err != nil {
		return err
	}
	return WriteJSON(w, tok)
}

// wellFormedID reports whether id has the prefix and only [0-9a-z_]
// characters (at most 64), so that it can be echoed in a message.
func wellFormedID(id, prefix string) bool {
	if len(id) > 64 || !strings.HasPrefix(id, prefix+"_") {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
