package payment

import (
	"context"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/sqlstore"
	"github.com/kessai/kessai/vault"
)

// verifyToken uses a token and verifies its card before it is saved: an
// authorization of 0 in the account's currency with the security code,
// marked as the first use of a stored credential, reversed at once when
// approved. It returns the card, with security_code_check as the issuer
// answered. Fails with the token's errors (ENotFound, EUsedToken,
// EInvalidCardToken), with EInvalidCard when the issuer declines the card or
// its security code, and with EUnavailable when the network cannot be
// reached.
func (s *Service) verifyToken(ctx context.Context, auth *kessai.Auth, tokenID string) (*kessai.Card, error) {
	if !kessai.HasPrefix(tokenID, kessai.PrefixToken) {
		return nil, kessai.Errorf(kessai.EInvalidCardToken, "card must be a token (tokn_…)")
	}
	acct, err := s.account(ctx, auth.AccountID)
	if err != nil {
		return nil, err
	}
	var cd *vault.CardData
	var c *kessai.Card
	err = s.db.Write(ctx, func(tx *sqlstore.Tx) error {
		tok, d, err := s.vault.SpendToken(tx, auth, tokenID)
		if err != nil {
			return err
		}
		cd, c = d, tok.Card
		return nil
	})
	if err != nil {
		return nil, err
	}
	ctx = detach(ctx)
	codeSent := !cd.SecurityCode.IsZero()
	res, err := s.link.Authorize(ctx, &kessai.AuthRequest{
		Reference:        c.ID,
		MerchantID:       auth.AccountID,
		Card:             cd.Number,
		ExpirationMonth:  cd.ExpirationMonth,
		ExpirationYear:   cd.ExpirationYear,
		SecurityCode:     cd.SecurityCode,
		Amount:           0,
		Currency:         acct.Currency,
		StoredCredential: kessai.StoredCredentialInitial,
	})
	cd = nil
	if err != nil {
		if kessai.ErrorCode(err) == kessai.EUnavailable {
			return nil, err
		}
		return nil, kessai.WrapError(err, kessai.EInvalidCard, "the card could not be verified")
	}
	if !res.Approved {
		return nil, kessai.Errorf(kessai.EInvalidCard, "card verification failed: %s", kessai.FailureMessage(declineCode(&res.NetworkResult)))
	}
	if _, err := s.link.Reverse(ctx, &kessai.NetworkReverseRequest{Reference: c.ID, NetworkRef: res.NetworkRef}); err != nil {
		// The link keeps a reversal it has queued; one it could not queue
		// is a zero-amount hold that expires by itself.
		s.log.Warn("payment: reverse card verification", "card", c.ID, "err", err)
	}
	if codeSent && res.SecurityCodeResult == "N" {
		return nil, kessai.Errorf(kessai.EInvalidCard, "card verification failed: %s", kessai.FailureMessage("invalid_security_code"))
	}
	c.SecurityCodeCheck = codeSent && res.SecurityCodeCheck()
	return c, nil
}

// attach attaches a verified card to the customer c in tx.
func (s *Service) attach(tx *sqlstore.Tx, auth *kessai.Auth, c *kessai.Customer, card *kessai.Card) error {
	if err := s.vault.AttachCard(tx, auth, card.ID, c.ID); err != nil {
		return err
	}
	if err := tx.SetCardSecurityCodeCheck(card.ID, card.SecurityCodeCheck); err != nil {
		return err
	}
	if c.DefaultCard == nil {
		id := card.ID
		c.DefaultCard = &id
	}
	return nil
}

func validateCustomer(email, description *string, meta kessai.Metadata) error {
	if err := checkText("email", email); err != nil {
		return err
	}
	if err := checkText("description", description); err != nil {
		return err
	}
	return kessai.ValidateMetadata(meta)
}

// CreateCustomer stores a customer, with a verified card when in.Card is a
// token; see [kessai.CustomerService.CreateCustomer].
func (s *Service) CreateCustomer(ctx context.Context, auth *kessai.Auth, in *kessai.CustomerInput) (*kessai.Customer, error) {
	if err := validateCustomer(in.Email, in.Description, in.Metadata); err != nil {
		return nil, err
	}
	var card *kessai.Card
	if in.Card != "" {
		var err error
		if card, err = s.verifyToken(ctx, auth, in.Card); err != nil {
			return nil, err
		}
		ctx = detach(ctx) // the token is used: keep the card
	}
	c := &kessai.Customer{
		ID: kessai.NewID(kessai.PrefixCustomer, auth.Livemode), AccountID: auth.AccountID, Livemode: auth.Livemode,
		Email: in.Email, Description: in.Description, Metadata: in.Metadata,
	}
	err := s.db.Write(ctx, func(tx *sqlstore.Tx) error {
		if err := tx.InsertCustomer(c); err != nil {
			return err
		}
		if card != nil {
			if err := s.attach(tx, auth, c, card); err != nil {
				return err
			}
			if err := tx.UpdateCustomer(c); err != nil {
				return err
			}
		}
		if err := tx.LoadCustomerCards(c); err != nil {
			return err
		}
		return addEvent(tx, kessai.EventCustomerCreate, c.AccountID, c.Livemode, c.ID, c)
	})
	if err != nil {
		return nil, err
	}
	return s.db.FindCustomer(ctx, auth.AccountID, auth.Livemode, c.ID)
}

// FindCustomer returns a customer; see [kessai.CustomerService.FindCustomer].
func (s *Service) FindCustomer(ctx context.Context, auth *kessai.Auth, id string) (*kessai.Customer, error) {
	return s.db.FindCustomer(ctx, auth.AccountID, auth.Livemode, id)
}

// ListCustomers returns a page of customers; see
// [kessai.CustomerService.ListCustomers].
func (s *Service) ListCustomers(ctx context.Context, auth *kessai.Auth, p kessai.ListParams) (*kessai.List[*kessai.Customer], error) {
	return s.db.ListCustomers(ctx, auth.AccountID, auth.Livemode, p)
}

// UpdateCustomer changes a customer; see [kessai.CustomerService.UpdateCustomer].
// Adding a card records a customer.update.card event, any other change a
// customer.update event.
func (s *Service) UpdateCustomer(ctx context.Context, auth *kessai.Auth, id string, upd *kessai.CustomerUpdate) (*kessai.Customer, error) {
	if err := validateCustomer(upd.Email, upd.Description, upd.Metadata); err != nil {
		return nil, err
	}
	if upd.DefaultCard != "" && !kessai.HasPrefix(upd.DefaultCard, kessai.PrefixCard) {
		return nil, kessai.Errorf(kessai.EBadRequest, "default_card must be a card id (card_…)")
	}
	// A missing customer must not cost the caller a token.
	if _, err := s.db.FindCustomer(ctx, auth.AccountID, auth.Livemode, id); err != nil {
		return nil, err
	}
	var card *kessai.Card
	if upd.Card != "" {
		var err error
		if card, err = s.verifyToken(ctx, auth, upd.Card); err != nil {
			return nil, err
		}
		ctx = detach(ctx)
	}
	err := s.db.Write(ctx, func(tx *sqlstore.Tx) error {
		c, err := tx.FindCustomer(auth.AccountID, auth.Livemode, id)
		if err != nil {
			return err
		}
		if upd.Email != nil {
			c.Email = upd.Email
		}
		if upd.Description != nil {
			c.Description = upd.Description
		}
		if upd.Metadata != nil {
			c.Metadata = upd.Metadata
		}
		key := kessai.EventCustomerUpdate
		if card != nil {
			if err := s.attach(tx, auth, c, card); err != nil {
				return err
			}
			key = kessai.EventCustomerUpdateCard
		}
		if upd.DefaultCard != "" {
			if _, err := tx.FindCustomerCard(auth.AccountID, auth.Livemode, c.ID, upd.DefaultCard); err != nil {
				return err
			}
			def := upd.DefaultCard
			c.DefaultCard = &def
		}
		if err := tx.UpdateCustomer(c); err != nil {
			return err
		}
		if err := tx.LoadCustomerCards(c); err != nil {
			return err
		}
		return addEvent(tx, key, c.AccountID, c.Livemode, c.ID, c)
	})
	if err != nil {
		return nil, err
	}
	return s.db.FindCustomer(ctx, auth.AccountID, auth.Livemode, id)
}

// DeleteCustomer deletes a customer and its cards, with a customer.destroy
// event; see [kessai.CustomerService.DeleteCustomer].
func (s *Service) DeleteCustomer(ctx context.Context, auth *kessai.Auth, id string) (*kessai.Deletion, error) {
	d := kessai.NewDeletion("customer", id, auth.Livemode)
	err := s.db.Write(ctx, func(tx *sqlstore.Tx) error {
		if err := tx.DeleteCustomer(auth.AccountID, auth.Livemode, id); err != nil {
			return err
		}
		return addEvent(tx, kessai.EventCustomerDestroy, auth.AccountID, auth.Livemode, id, d)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}
