package httpapi_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/omise/omise-go"
	"github.com/omise/omise-go/operations"
)

// TestOmiseGoClient drives the token endpoints with the official omise-go
// client, unchanged, pointed at the server.
func TestOmiseGoClient(t *testing.T) {
	e := newEnv(t)
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	client, err := omise.NewClient(pkeyA, skeyA)
	if err != nil {
		t.Fatal(err)
	}
	client.Endpoints["https://vault.omise.co"] = ts.URL
	client.Endpoints["https://api.omise.co"] = ts.URL

	tok := &omise.Token{}
	if err := client.Do(tok, &operations.CreateToken{
		Name: "Somchai Prasert", Number: visa, ExpirationMonth: time.December, ExpirationYear: 2030,
		SecurityCode: "123", City: "Bangkok", PostalCode: "10320",
	}); err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	if !strings.HasPrefix(tok.ID, "tokn_test_") || tok.Card == nil || tok.Card.LastDigits != "4242" {
		t.Fatalf("token = %+v", tok)
	}
	if e.tokens.raw.ExpirationMonth != "12" || e.tokens.raw.City != "Bangkok" {
		t.Errorf("raw input = %+v", e.tokens.raw)
	}

	got := &omise.Token{}
	if err := client.Do(got, &operations.RetrieveToken{ID: tok.ID}); err != nil {
		t.Fatalf("RetrieveToken: %v", err)
	}
	if got.ID != tok.ID {
		t.Errorf("retrieved %s, want %s", got.ID, tok.ID)
	}

	err = client.Do(&omise.Token{}, &operations.RetrieveToken{ID: "tokn_test_nothere0000000000"})
	oe, ok := err.(*omise.Error)
	if !ok || oe.StatusCode != 404 || oe.Code != "not_found" {
		t.Errorf("missing token: %#v", err)
	}

	bad, _ := omise.NewClient("pkey_test_zzzzzzzzzzzzzzzzzzz", skeyA)
	bad.Endpoints["https://vault.omise.co"] = ts.URL
	err = bad.Do(&omise.Token{}, &operations.CreateToken{Name: "A", Number: visa, ExpirationMonth: 1, ExpirationYear: 2030})
	if oe, ok := err.(*omise.Error); !ok || oe.StatusCode != 401 || oe.Code != "authentication_failure" {
		t.Errorf("unknown key: %#v", err)
	}
}
