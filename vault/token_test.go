package vault_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai"
	"github.com/kessai/kessai/card"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
	"github.com/kessai/kessai/vault"
)

func TestTokenRoundTrip(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		v := openVault(t, db, vault.Config{})
		auth := newAccount(t, db)
		raw := rawCard("4242 4242 4242 4242", "123")
		raw.Street1 = "1448/4 Praditmanutham Road"
		raw.Country = "TH"
		before := time.Now().Truncate(time.Second)
		tok := mustCreate(t, v, auth, raw)

		if !strings.HasPrefix(tok.ID, "tokn_test_") || !strings.HasPrefix(tok.Card.ID, "card_test_") {
			t.Errorf("ids = %s, %s", tok.ID, tok.Card.ID)
		}
		if tok.CreatedAt.Before(before) || tok.ExpiresAt.Sub(tok.CreatedAt.Time) != vault.DefaultTokenLifetime {
			t.Errorf("created %v, expires %v", tok.CreatedAt, tok.ExpiresAt)
		}
		fp, err := base64.StdEncoding.DecodeString(tok.Card.Fingerprint)
		if err != nil || len(fp) != 32 {
			t.Errorf("fingerprint %q: %d bytes, %v", tok.Card.Fingerprint, len(fp), err)
		}

		// The JSON is the Omise Token object, with the Card object inside.
		got := jsonMap(t, tok)
		want := map[string]any{
			"object":        "token",
			"id":            tok.ID,
			"livemode":      false,
			"location":      "/tokens/" + tok.ID,
			"used":          false,
			"charge_status": "unknown",
			"created_at":    tok.CreatedAt.UTC().Format(kessai.TimeLayout),
			"card": map[string]any{
				"object":              "card",
				"id":                  tok.Card.ID,
				"livemode":            false,
				"location":            nil,
				"deleted":             false,
				"street1":             "1448/4 Praditmanutham Road",
				"street2":             nil,
				"city":                "Bangkok",
				"state":               nil,
				"phone_number":        nil,
				"postal_code":         "10320",
				"country":             "th",
				"financing":           "credit",
				"bank":                "Kessai Test Bank",
				"brand":               "Visa",
				"fingerprint":         tok.Card.Fingerprint,
				"first_digits":        nil,
				"last_digits":         "4242",
				"name":                "Somchai Prasert",
				"expiration_month":    float64(12),
				"expiration_year":     float64(time.Now().Year() + 3),
				"security_code_check": true,
				"tokenization_method": nil,
				"created_at":          tok.CreatedAt.UTC().Format(kessai.TimeLayout),
			},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("token JSON (-want +got):\n%s", diff)
		}

		// FindToken returns the same object.
		found, err := v.FindToken(ctx, auth, tok.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(got, jsonMap(t, found)); diff != "" {
			t.Errorf("found token differs (-created +found):\n%s", diff)
		}
		if found.AccountID != auth.AccountID || found.ClientIP != "192.0.2.1" || !found.ExpiresAt.Equal(tok.ExpiresAt.Time) {
			t.Errorf("internal fields: account %q ip %q expires %v", found.AccountID, found.ClientIP, found.ExpiresAt)
		}

		// The card behind it reveals the number and code.
		d := revealToken(t, db, v, tok.ID)
		if d.Number.Reveal() != visa || d.SecurityCode.Reveal() != "123" || d.ExpirationMonth != 12 || d.CardID != tok.Card.ID {
			t.Errorf("revealed %v", d)
		}
	})
}

func TestTokenCardDefaults(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		v := openVault(t, db, vault.Config{})
		auth := newAccount(t, db)
		live := &kessai.Auth{AccountID: auth.AccountID, Livemode: true, Kind: kessai.PublicKey}

		year := time.Now().Year() + 5
		tok := mustCreate(t, v, live, &card.RawInput{Name: "Taro Yamada", Number: jcb, ExpirationMonth: "1", ExpirationYear: strconv.Itoa(year % 100)})
		c := tok.Card
		if !strings.HasPrefix(tok.ID, "tokn_") || strings.Contains(tok.ID, "_test_") || !tok.Livemode || !c.Livemode {
			t.Errorf("live token ids %s %s", tok.ID, c.ID)
		}
		// No code: security_code_check false. Country from the BIN.
		if c.SecurityCodeCheck || c.Country != "jp" || c.Brand != "JCB" || c.ExpirationYear != year || c.City != nil {
			t.Errorf("card = %+v", c)
		}
		// The same number has the same fingerprint, another number another.
		tok2 := mustCreate(t, v, live, rawCard(jcb, ""))
		tok3 := mustCreate(t, v, live, rawCard(visa, ""))
		if tok2.Card.Fingerprint != c.Fingerprint || tok3.Card.Fingerprint == c.Fingerprint {
			t.Errorf("fingerprints %s %s %s", c.Fingerprint, tok2.Card.Fingerprint, tok3.Card.Fingerprint)
		}
		// Every token makes its own card.
		if tok2.Card.ID == c.ID {
			t.Error("two tokens share a card")
		}
	})
}

func TestFindTokenScope(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		v := openVault(t, db, vault.Config{})
		auth := newAccount(t, db)
		other := newAccount(t, db)
		tok := mustCreate(t, v, auth, rawCard(visa, "123"))

		for name, a := range map[string]*kessai.Auth{
			"other account": other,
			"live mode":     {AccountID: auth.AccountID, Livemode: true},
		} {
			_, err := v.FindToken(ctx, a, tok.ID)
			if kessai.ErrorCode(err) != kessai.ENotFound || kessai.ErrorMessage(err) != "token "+tok.ID+" was not found" {
				t.Errorf("%s: err = %v", name, err)
			}
		}
		_, err := v.FindToken(ctx, auth, "tokn_test_nosuchtoken")
		if kessai.ErrorMessage(err) != "token tokn_test_nosuchtoken was not found" {
			t.Errorf("missing token: %v", err)
		}
		// An id that looks like a card number is not echoed.
		_, err = v.FindToken(ctx, auth, visa)
		if kessai.ErrorCode(err) != kessai.ENotFound || strings.Contains(err.Error(), visa) {
			t.Errorf("card-number id: %v", err)
		}
		if _, err := v.Card(ctx, other, tok.Card.ID); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("card of other account: %v", err)
		}
		c, err := v.Card(ctx, auth, tok.Card.ID)
		if err != nil || c.Fingerprint != tok.Card.Fingerprint {
			t.Errorf("Card = %+v, %v", c, err)
		}
	})
}

func TestInvalidCard(t *testing.T) {
	year := strconv.Itoa(time.Now().Year() + 2)
	ok := func(f func(r *card.RawInput)) *card.RawInput {
		r := &card.RawInput{Name: "A B", Number: visa, ExpirationMonth: "12", ExpirationYear: year, SecurityCode: "123"}
		f(r)
		return r
	}
	tests := []struct {
		name string
		raw  *card.RawInput
		want string
	}{
		{"nil input", nil, "name is required"},
		{"no name", ok(func(r *card.RawInput) { r.Name = " " }), "name is required"},
		{"long name", ok(func(r *card.RawInput) { r.Name = strings.Repeat("a", 256) }), "name is invalid"},
		{"bad utf-8 city", ok(func(r *card.RawInput) { r.City = "\xff" }), "city is invalid"},
		{"bad country", ok(func(r *card.RawInput) { r.Country = "tha" }), "country must be a two-letter country code"},
		{"no number", ok(func(r *card.RawInput) { r.Number = "" }), "number is required"},
		{"letters in number", ok(func(r *card.RawInput) { r.Number = "4242 4242 4242 424x" }), "number must contain only digits"},
		{"check digit", ok(func(r *card.RawInput) { r.Number = "4242424242424241" }), "number is invalid (check digit)"},
		{"short number", ok(func(r *card.RawInput) { r.Number = "42424242" }), "number has an invalid length"},
		{"unknown brand", ok(func(r *card.RawInput) { r.Number = "9000000000000001" }), "number is of an unsupported brand"},
		{"brand length", ok(func(r *card.RawInput) { r.Number = "424242424242424" }), "number has an invalid length for Visa"},
		{"no month", ok(func(r *card.RawInput) { r.ExpirationMonth = "" }), "expiration_month is required"},
		{"month 13", ok(func(r *card.RawInput) { r.ExpirationMonth = "13" }), "expiration_month must be between 1 and 12"},
		{"no year", ok(func(r *card.RawInput) { r.ExpirationYear = "" }), "expiration_year is required"},
		{"bad year", ok(func(r *card.RawInput) { r.ExpirationYear = "20x9" }), "expiration_year is invalid"},
		{"expired", ok(func(r *card.RawInput) { r.ExpirationMonth, r.ExpirationYear = "1", "2020" }), "expiration_month and expiration_year are in the past (card expired)"},
		{"far future", ok(func(r *card.RawInput) { r.ExpirationYear = strconv.Itoa(time.Now().Year() + 30) }), "expiration_year is too far in the future"},
		{"short code", ok(func(r *card.RawInput) { r.SecurityCode = "12" }), "security_code must be 3 digits"},
		{"letters in code", ok(func(r *card.RawInput) { r.SecurityCode = "12a" }), "security_code must contain only digits"},
		{"amex code length", ok(func(r *card.RawInput) { r.Number, r.SecurityCode = amex, "123" }), "security_code must be 4 digits"},
	}
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		v := openVault(t, db, vault.Config{})
		auth := newAccount(t, db)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tok, err := v.CreateToken(context.Background(), auth, tt.raw, "")
				if tok != nil || kessai.ErrorCode(err) != kessai.EInvalidCard {
					t.Fatalf("CreateToken = %v, %v; want invalid_card", tok, err)
				}
				if got := kessai.ErrorMessage(err); got != tt.want {
					t.Errorf("message = %q, want %q", got, tt.want)
				}
				if tt.raw != nil && tt.raw.Number != "" && strings.Contains(err.Error(), tt.raw.Number) {
					t.Errorf("error %q contains the number", err)
				}
			})
		}
		if n := count(t, db, `SELECT count(*) FROM cards`) + count(t, db, `SELECT count(*) FROM tokens`); n != 0 {
			t.Errorf("invalid cards wrote %d rows", n)
		}
	})
}

// jsonMap returns v marshalled to JSON and read back as a generic map.
func jsonMap(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestCardJSONKeys pins the Card object's field list to the Omise one.
func TestCardJSONKeys(t *testing.T) {
	m := jsonMap(t, &kessai.Card{})
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"bank", "brand", "city", "country", "created_at", "deleted", "expiration_month",
		"expiration_year", "financing", "fingerprint", "first_digits", "id", "last_digits", "livemode",
		"location", "name", "object", "phone_number", "postal_code", "security_code_check", "state",
		"street1", "street2", "tokenization_method"}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("card JSON keys (-want +got):\n%s", diff)
	}
}
