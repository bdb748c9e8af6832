package kessai

import (
	"context"
	"time"
)

// Customer is the Omise Customer object of API version 2019-05-29: a buyer
// whose cards are saved for later charges.
type Customer struct {
	Object      string       `json:"object"` // "customer"
	ID          string       `json:"id"`
	Livemode    bool         `json:"livemode"`
	Location    string       `json:"location"`
	Deleted     bool         `json:"deleted"`
	Email       *string      `json:"email"`
	Description *string      `json:"description"`
	DefaultCard *string      `json:"default_card"`
	Cards       *List[*Card] `json:"cards"`
	Metadata    Metadata     `json:"metadata"`
	CreatedAt   Time         `json:"created_at"`

	// AccountID is the account the customer belongs to.
	AccountID string `json:"-"`
}

// CustomerLocation returns the API path of a customer.
func CustomerLocation(id string) string { return "/customers/" + id }

// CustomerCardLocation returns the API path of a customer's card.
func CustomerCardLocation(customerID, cardID string) string {
	return CustomerLocation(customerID) + "/cards/" + cardID
}

// Derive sets the object, the location, an empty metadata object and the
// cards list's location.
func (c *Customer) Derive() {
	c.Object = "customer"
	c.Location = CustomerLocation(c.ID)
	if c.Metadata == nil {
		c.Metadata = Metadata{}
	}
	if c.Cards == nil {
		c.Cards = NewList[*Card]("", ListParams{From: time.Unix(0, 0).UTC(), To: c.CreatedAt.Time, Limit: DefaultListLimit, Order: Chronological}, nil, 0)
	}
	c.Cards.Location = CustomerLocation(c.ID) + "/cards"
	if c.Cards.Data == nil {
		c.Cards.Data = []*Card{}
	}
}

// Deletion is what deleting an object returns, and the data of a *.destroy
// event: {"object":"customer","id":…,"livemode":false,"deleted":true}.
type Deletion struct {
	Object   string `json:"object"`
	ID       string `json:"id"`
	Livemode bool   `json:"livemode"`
	Deleted  bool   `json:"deleted"`
}

// NewDeletion returns the Deletion of an object of kind object ("customer",
// "card", …).
func NewDeletion(object, id string, livemode bool) *Deletion {
	return &Deletion{Object: object, ID: id, Livemode: livemode, Deleted: true}
}

// CustomerInput is what POST /customers asks for.
type CustomerInput struct {
	Email       *string
	Description *string
	// Card is an unused token; its card is verified and attached.
	Card     string
	Metadata Metadata
}

// CustomerUpdate is what PATCH /customers/:id may change; nil and "" fields
// are kept.
type CustomerUpdate struct {
	Email       *string
	Description *string
	// Card is an unused token; its card is verified and attached. It
	// becomes the default card when the customer has none.
	Card string
	// DefaultCard is one of the customer's cards.
	DefaultCard string
	Metadata    Metadata
}

// CardUpdate is what PATCH /customers/:id/cards/:card_id may change; nil
// fields are kept.
type CardUpdate struct {
	Name            *string
	ExpirationMonth *int
	ExpirationYear  *int
	City            *string
	PostalCode      *string
}

// CustomerService manages customers and their saved cards within auth's
// account and mode.
type CustomerService interface {
	// CreateCustomer stores a customer. With a card token, it first verifies
	// the card (an authorization that checks the security code, then is
	// reversed); a card that fails verification attaches nothing and the
	// customer is not created. Returns EBadRequest, EUsedToken, ENotFound,
	// EInvalidCard (verification failed).
	CreateCustomer(ctx context.Context, auth *Auth, in *CustomerInput) (*Customer, error)
	// FindCustomer returns a customer. Returns ENotFound.
	FindCustomer(ctx context.Context, auth *Auth, id string) (*Customer, error)
	// ListCustomers returns a page of the customers.
	ListCustomers(ctx context.Context, auth *Auth, p ListParams) (*List[*Customer], error)
	// UpdateCustomer changes a customer; see [CustomerUpdate]. Returns the
	// errors of CreateCustomer.
	UpdateCustomer(ctx context.Context, auth *Auth, id string, upd *CustomerUpdate) (*Customer, error)
	// DeleteCustomer deletes a customer and its cards. Returns ENotFound.
	DeleteCustomer(ctx context.Context, auth *Auth, id string) (*Deletion, error)
	// ListCards returns a page of a customer's cards. Returns ENotFound.
	ListCards(ctx context.Context, auth *Auth, customerID string, p ListParams) (*List[*Card], error)
	// FindCard returns a customer's card. Returns ENotFound.
	FindCard(ctx context.Context, auth *Auth, customerID, cardID string) (*Card, error)
	// UpdateCard changes a saved card's name, expiry, city or postal code.
	// Returns ENotFound, EInvalidCard.
	UpdateCard(ctx context.Context, auth *Auth, customerID, cardID string, upd *CardUpdate) (*Card, error)
	// DeleteCard deletes a saved card; if it was the default card, the most
	// recently added remaining card becomes the default. Returns ENotFound.
	DeleteCard(ctx context.Context, auth *Auth, customerID, cardID string) (*Deletion, error)
}
