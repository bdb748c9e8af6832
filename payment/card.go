package payment

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/card"
	"github.com/kessai/kessai/sqlstore"
)

// ListCards returns a page of a customer's cards; see
// [kessai.CustomerService.ListCards].
func (s *Service) ListCards(ctx context.Context, auth *kessai.Auth, customerID string, p kessai.ListParams) (*kessai.List[*kessai.Card], error) {
	return s.db.ListCustomerCards(ctx, auth.AccountID, auth.Livemode, customerID, p)
}

// FindCard returns a customer's card; see [kessai.CustomerService.FindCard].
func (s *Service) FindCard(ctx context.Context, auth *kessai.Auth, customerID, cardID string) (*kessai.Card, error) {
	return s.db.FindCustomerCard(ctx, auth.AccountID, auth.Livemode, customerID, cardID)
}

// UpdateCard changes a saved card's name, expiry, city or postal code, with a
// card.update event; see [kessai.CustomerService.UpdateCard]. Fails with
// EInvalidCard for an empty name, a bad or past expiry, or a field longer
// than 255 characters.
func (s *Service) UpdateCard(ctx context.Context, auth *kessai.Auth, customerID, cardID string, upd *kessai.CardUpdate) (*kessai.Card, error) {
	for _, f := range []struct {
		name string
		v    *string
	}{{"name", upd.Name}, {"city", upd.City}, {"postal_code", upd.PostalCode}} {
		if f.v != nil && (!utf8.ValidString(*f.v) || utf8.RuneCountInString(*f.v) > 255) {
			return nil, kessai.Errorf(kessai.EInvalidCard, "%s is invalid", f.name)
		}
	}
	if upd.Name != nil && strings.TrimSpace(*upd.Name) == "" {
		return nil, kessai.Errorf(kessai.EInvalidCard, "name is required")
	}
	var c *kessai.Card
	err := s.db.Write(ctx, func(tx *sqlstore.Tx) error {
		var err error
		if c, err = tx.FindCustomerCard(auth.AccountID, auth.Livemode, customerID, cardID); err != nil {
			return err
		}
		if upd.Name != nil {
			c.Name = strings.TrimSpace(*upd.Name)
		}
		if upd.ExpirationMonth != nil {
			c.ExpirationMonth = *upd.ExpirationMonth
		}
		if upd.ExpirationYear != nil {
			c.ExpirationYear = *upd.ExpirationYear
			if c.ExpirationYear < 100 {
				c.ExpirationYear += 2000
			}
		}
		switch {
		case c.ExpirationMonth < 1 || c.ExpirationMonth > 12:
			return kessai.Errorf(kessai.EInvalidCard, "expiration_month must be between 1 and 12")
		case c.ExpirationYear < 1000 || c.ExpirationYear > tx.Now.Year()+20:
			return kessai.Errorf(kessai.EInvalidCard, "expiration_year is invalid")
		case card.Expired(c.ExpirationMonth, c.ExpirationYear, tx.Now):
			return kessai.Errorf(kessai.EInvalidCard, "expiration_month and expiration_year are in the past (card expired)")
		}
		if upd.City != nil {
			c.City = upd.City
		}
		if upd.PostalCode != nil {
			c.PostalCode = upd.PostalCode
		}
		if err := tx.UpdateCustomerCard(c); err != nil {
			return err
		}
		return addEvent(tx, kessai.EventCardUpdate, auth.AccountID, auth.Livemode, c.ID, c)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// DeleteCard deletes a saved card, with a card.destroy event; see
// [kessai.CustomerService.DeleteCard].
func (s *Service) DeleteCard(ctx context.Context, auth *kessai.Auth, customerID, cardID string) (*kessai.Deletion, error) {
	d := kessai.NewDeletion("card", cardID, auth.Livemode)
	err := s.db.Write(ctx, func(tx *sqlstore.Tx) error {
		cust, err := tx.FindCustomer(auth.AccountID, auth.Livemode, customerID)
		if err != nil {
			return err
		}
		if err := tx.DeleteCustomerCard(auth.AccountID, auth.Livemode, customerID, cardID); err != nil {
			return err
		}
		if cust.DefaultCard != nil && *cust.DefaultCard == cardID {
			next, err := tx.LatestCustomerCard(customerID)
			if err != nil {
				return err
			}
			cust.DefaultCard = nil
			if next != "" {
				cust.DefaultCard = &next
			}
			if err := tx.UpdateCustomer(cust); err != nil {
				return err
			}
		}
		return addEvent(tx, kessai.EventCardDestroy, auth.AccountID, auth.Livemode, cardID, d)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}
