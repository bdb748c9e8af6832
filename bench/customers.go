package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
)

// Customers returns the "customers" scenario. Prepare creates
// ChargeOptions.Customers customers (default 16), each with a saved card
// (a token of a random approved test card, then POST /customers with
// email, description and card), and deletes them after the run. Each
// iteration charges the saved card of one of them, at random: POST
// /charges with amount, currency and customer, expecting 200 and a charge
// with status "successful".
func Customers(o ChargeOptions) Scenario { return &customers{opts: o.withDefaults()} }

type customers struct {
	opts ChargeOptions
	ids  []string // set by Prepare, read only afterwards
}

func (*customers) Name() string { return "customers" }

// Prepare creates the customers and returns a func that deletes them. It
// fails when the target lacks a key, the options are invalid, or a
// customer cannot be created with its card attached (default_card
// null); it then deletes the customers it created.
func (s *customers) Prepare(ctx context.Context, c *http.Client, t Target) (Target, func(), error) {
	return s.prepare(ctx, c, t, s.Name())
}

func (s *customers) prepare(ctx context.Context, c *http.Client, t Target, name string) (Target, func(), error) {
	if err := s.opts.check(name, t); err != nil {
		return t, nil, err
	}
	s.ids = make([]string, 0, s.opts.Customers)
	undo := func() { deleteCustomers(c, t, s.ids) }
	for i := range s.opts.Customers {
		id, err := createCustomer(ctx, c, t, i)
		if err != nil {
			undo()
			return t, nil, fmt.Errorf("create customer %d of %d: %w", i+1, s.opts.Customers, err)
		}
		s.ids = append(s.ids, id)
	}
	return t, undo, nil
}

func (s *customers) Do(ctx context.Context, c *http.Client, t Target) error {
	_, err := s.charge(ctx, c, t)
	return err
}

// charge charges the saved card of a random customer and returns the
// charge's id. It fails unless the charge is successful.
func (s *customers) charge(ctx context.Context, c *http.Client, t Target) (string, error) {
	if len(s.ids) == 0 {
		return "", errNotPrepared
	}
	cust := s.ids[rand.IntN(len(s.ids))]
	body := chargeRequest{Amount: s.opts.Amount, Currency: s.opts.Currency, Customer: cust}
	return createCharge(ctx, c, t, body, "successful")
}

// customerRequest is the body of POST /customers.
type customerRequest struct {
	Email       string `json:"email"`
	Description string `json:"description"`
	Card        string `json:"card"`
}

// createCustomer creates a token and a customer with it as its card, and
// returns the customer's id; each request may take DefaultTimeout. It
// fails unless the answer is a customer with a default card.
func createCustomer(ctx context.Context, c *http.Client, t Target, i int) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, DefaultTimeout)
	defer cancel()
	tok, err := createToken(ctx, c, t)
	if err != nil {
		return "", err
	}
	req, err := newRequest(ctx, t, http.MethodPost, "/customers", t.SecretKey, customerRequest{
		Email:       fmt.Sprintf("bench-%d@kessai.test", i+1),
		Description: "kessai bench",
		Card:        tok,
	})
	if err != nil {
		return "", err
	}
	var cust apiObject
	if err := call(c, req, "customer", "cust_", &cust); err != nil {
		return "", step("POST /customers", err)
	}
	if !strings.HasPrefix(cust.DefaultCard, "card_") {
		return "", step("POST /customers", &ResponseError{Reason: "customer has no default card: the token was not attached"})
	}
	return cust.ID, nil
}

// deleteCustomers deletes the customers with DELETE /customers/{id}, as
// far as it can in DefaultTimeout, ignoring failures: it tidies up after a
// run, which has its result by then.
func deleteCustomers(c *http.Client, t Target, ids []string) {
	ctx, cancel := context.WithTimeout(context.Background(), DefaultTimeout)
	defer cancel()
	for _, id := range ids {
		req, err := newRequest(ctx, t, http.MethodDelete, "/customers/"+id, t.SecretKey, nil)
		if err != nil {
			return
		}
		if err := expectObject(c, req, "customer", "cust_"); err != nil && ctx.Err() != nil {
			return
		}
	}
}
