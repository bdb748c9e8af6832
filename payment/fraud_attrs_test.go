package payment_test

import (
	"context"
	"testing"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/card"
	"github.com/kessai/kessai/payment"
	"github.com/kessai/kessai/sqlstore"
)

// TestFraudAttributes checks every attribute the payment service gives the
// fraud engine: amount and currency, card brand, BIN, issuing country (from
// the BIN, not the billing address), funding, fingerprint, the IP (the
// charge's ip parameter, else the token's client address), the billing
// country (metadata, else the card's billing address), the shipping
// country (metadata), whether the card is new to the merchant (per account
// and card, across tokens and saved cards), and the customer, its email and
// creation time.
func TestFraudAttributes(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := &fakeScreener{blockAbove: 1 << 60}
		e.svc = payment.New(payment.Config{DB: e.db, Vault: e.vault, Link: e.link, Accounts: &sqlstore.AccountService{DB: e.db}, Fraud: f})
		tokenWith := func(raw card.RawInput) string {
			t.Helper()
			raw.Name, raw.ExpirationMonth, raw.ExpirationYear, raw.SecurityCode = "Somchai Prasert", "12", "2035", "123"
			tok, err := e.vault.CreateToken(ctx, e.pub, &raw, "192.0.2.7")
			if err != nil {
				t.Fatal(err)
			}
			return tok.ID
		}
		charge := func(in kessai.ChargeInput) kessai.FraudAttributes {
			t.Helper()
			in.Amount, in.Currency = 12345, "thb"
			if _, err := e.svc.CreateCharge(ctx, e.auth, &in); err != nil {
				t.Fatal(err)
			}
			return f.screened[len(f.screened)-1]
		}

		// A token without an address: the BIN's country, no billing or
		// shipping country, the token's IP, a new card.
		a := charge(kessai.ChargeInput{Card: tokenWith(card.RawInput{Number: "4000000000000002"})})
		if a.Amount != 12345 || a.Currency != "thb" || a.Brand != "Visa" || a.BIN != "400000" || a.CardCountry != "US" ||
			a.Funding != "debit" || a.Fingerprint == "" || a.IP != "192.0.2.7" || a.BillingCountry != "" || a.ShippingCountry != "" ||
			a.CustomerID != "" || a.Email != "" || !a.CustomerCreatedAt.IsZero() {
			t.Errorf("plain token: %+v", a)
		}
		if a.CardNewToMerchant == nil || !*a.CardNewToMerchant {
			t.Errorf("first charge of the card: is_new_card %v, want true", a.CardNewToMerchant)
		}
		fp := a.Fingerprint

		// The same card again, with a billing address in Japan, an ip
		// parameter and a shipping country in metadata.
		ip := "198.51.100.9"
		a = charge(kessai.ChargeInput{Card: tokenWith(card.RawInput{Number: "4000000000000002", City: "Tokyo", Country: "jp"}),
			IP: &ip, Metadata: kessai.Metadata{"shipping_country": "sg"}})
		if a.Fingerprint != fp || a.CardCountry != "US" || a.BillingCountry != "JP" || a.ShippingCountry != "SG" || a.IP != ip {
			t.Errorf("second charge: %+v", a)
		}
		if a.CardNewToMerchant == nil || *a.CardNewToMerchant {
			t.Errorf("second charge of the card: is_new_card %v, want false", a.CardNewToMerchant)
		}
		// Metadata's billing country wins over the card's; a bad one is
		// ignored.
		a = charge(kessai.ChargeInput{Card: tokenWith(card.RawInput{Number: "4000000000000002", Country: "jp"}),
			Metadata: kessai.Metadata{"billing_country": "th", "shipping_country": "Thailand"}})
		if a.BillingCountry != "TH" || a.ShippingCountry != "" {
			t.Errorf("metadata countries: billing %q shipping %q", a.BillingCountry, a.ShippingCountry)
		}

		// A customer's saved card: customer, email, creation time; no IP
		// unless given; the card is new to the merchant once.
		email := "Buyer@Example.com"
		cust, err := e.svc.CreateCustomer(ctx, e.auth, &kessai.CustomerInput{Email: &email, Card: tokenWith(card.RawInput{Number: "5555555555554444"})})
		if err != nil {
			t.Fatal(err)
		}
		a = charge(kessai.ChargeInput{Customer: cust.ID})
		if a.CustomerID != cust.ID || a.Email != email || !a.CustomerCreatedAt.Equal(cust.CreatedAt.Time) || a.IP != "" ||
			a.Brand != "MasterCard" || a.BIN != "555555" || a.CardCountry != "US" {
			t.Errorf("saved card: %+v", a)
		}
		if a.CardNewToMerchant == nil || !*a.CardNewToMerchant {
			t.Errorf("first charge of the saved card: is_new_card %v", a.CardNewToMerchant)
		}
		if a = charge(kessai.ChargeInput{Customer: cust.ID}); a.CardNewToMerchant == nil || *a.CardNewToMerchant {
			t.Errorf("second charge of the saved card: is_new_card %v", a.CardNewToMerchant)
		}
	})
}
