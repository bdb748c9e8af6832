package payment

import (
	"context"
	"strings"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/card"
	"github.com/kessai/kessai/sqlstore"
)

// Metadata keys a merchant sets on a charge to give the fraud engine the
// order's countries (ISO 3166-1 alpha-2): Omise charges have no billing or
// shipping parameters.
const (
	MetaBillingCountry  = "billing_country"
	MetaShippingCountry = "shipping_country"
)

// fraudGeo fills the countries of a: the card's issuing country from its
// number's BIN; the billing country from the charge's metadata, else from
// the card's billing address (the token's card[country], when the card was
// given an address or a country other than its BIN's); the shipping
// country from the charge's metadata only. A country that is not two
// letters is ignored (missing).
func fraudGeo(a *kessai.FraudAttributes, meta kessai.Metadata, c *kessai.Card) {
	bin := card.LookupPrefix(a.BIN)
	a.CardCountry = strings.ToUpper(bin.Country)
	a.BillingCountry = metaCountry(meta, MetaBillingCountry)
	if a.BillingCountry == "" && c != nil && c.Country != "" {
		if c.Street1 != nil || c.City != nil || c.PostalCode != nil || !strings.EqualFold(c.Country, bin.Country) {
			a.BillingCountry = strings.ToUpper(c.Country)
		}
	}
	a.ShippingCountry = metaCountry(meta, MetaShippingCountry)
}

// metaCountry returns the metadata value of key when it is a two-letter
// country code, uppercased, and "" otherwise.
func metaCountry(m kessai.Metadata, key string) string {
	s, _ := m[key].(string)
	if len(s) != 2 || !isLetters(s) {
		return ""
	}
	return strings.ToUpper(s)
}

func isLetters(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}

// cardIsNew sets whether the card of a is new to the merchant, from what
// the account's committed charges have seen, before the screening; two
// concurrent first charges of a card both see it new. [seeCard] records
// it in the charge's write.
func (s *Service) cardIsNew(ctx context.Context, a *kessai.FraudAttributes) error {
	if a.Fingerprint == "" {
		return nil
	}
	seen, err := s.db.FraudCardSeen(ctx, a.AccountID, a.Livemode, a.Fingerprint)
	if err != nil {
		return err
	}
	isNew := !seen
	a.CardNewToMerchant = &isNew
	return nil
}

// seeCard records, in the write that stores the charge, that the account
// has screened a charge of the card of a, when it was new.
func seeCard(tx *sqlstore.Tx, a *kessai.FraudAttributes) error {
	if a == nil || a.CardNewToMerchant == nil || !*a.CardNewToMerchant {
		return nil
	}
	_, err := tx.SeeFraudCard(a.AccountID, a.Livemode, a.Fingerprint)
	return err
}
