package payment_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai"
)

func TestCustomerWithCard(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c, err := e.svc.CreateCustomer(ctx, e.auth, &kessai.CustomerInput{
			Email: ptr("somchai@example.com"), Description: ptr("VIP"), Card: e.token(t, "4242424242424242"),
		})
		if err != nil {
			t.Fatal(err)
		}
		if c.DefaultCard == nil || c.Cards.Total != 1 || c.Cards.Data[0].ID != *c.DefaultCard || !c.Cards.Data[0].SecurityCodeCheck ||
			*c.Cards.Data[0].Location != "/customers/"+c.ID+"/cards/"+*c.DefaultCard {
			t.Fatalf("customer = %+v", c)
		}
		card1 := *c.DefaultCard
		// Verification: a zero authorization with the security code, then
		// its reversal.
		if diff := cmp.Diff([]string{"authorize " + card1 + " 0", "reverse " + card1}, e.link.Calls()); diff != "" {
			t.Errorf("verification calls (-want +got):\n%s", diff)
		}
		if req := e.link.lastAuth(); req.SecurityCode.IsZero() || req.StoredCredential != kessai.StoredCredentialInitial {
			t.Errorf("verification request: %v", req)
		}

		// A charge on the customer uses the default card, as a stored
		// credential without security code.
		ch, err := e.svc.CreateCharge(ctx, e.auth, &kessai.ChargeInput{Amount: 5000, Currency: "thb", Customer: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		if ch.Status != kessai.ChargeSuccessful || *ch.Customer != c.ID || ch.Card.ID != card1 || *ch.Card.Location != "/customers/"+c.ID+"/cards/"+card1 {
			t.Errorf("customer charge = %+v", ch)
		}
		if req := e.link.lastAuth(); !req.SecurityCode.IsZero() || req.StoredCredential != kessai.StoredCredentialCardholder || req.Card.Last4() != "4242" {
			t.Errorf("stored-credential request: %v", req)
		}
		mit, err := e.svc.CreateCharge(ctx, e.auth, &kessai.ChargeInput{Amount: 5000, Currency: "thb", Customer: c.ID, Card: card1, TransactionIndicator: "MIT"})
		if err != nil || mit.Status != kessai.ChargeSuccessful {
			t.Fatalf("merchant-initiated charge: %v", err)
		}
		if req := e.link.lastAuth(); req.StoredCredential != kessai.StoredCredentialMerchant {
			t.Errorf("MIT request: %v", req.StoredCredential)
		}

		// A second card joins; the default stays until changed.
		c, err = e.svc.UpdateCustomer(ctx, e.auth, c.ID, &kessai.CustomerUpdate{Card: e.token(t, "5555555555554444"), Metadata: kessai.Metadata{"tier": "gold"}})
		if err != nil {
			t.Fatal(err)
		}
		if c.Cards.Total != 2 || *c.DefaultCard != card1 || c.Metadata["tier"] != "gold" || *c.Email != "somchai@example.com" {
			t.Fatalf("after adding a card: %+v", c)
		}
		card2 := c.Cards.Data[1].ID
		c, err = e.svc.UpdateCustomer(ctx, e.auth, c.ID, &kessai.CustomerUpdate{DefaultCard: card2})
		if err != nil || *c.DefaultCard != card2 {
			t.Fatalf("default card: %v, %v", c.DefaultCard, err)
		}
		ch, err = e.svc.CreateCharge(ctx, e.auth, &kessai.ChargeInput{Amount: 5000, Currency: "thb", Customer: c.ID})
		if err != nil || ch.Card.ID != card2 {
			t.Errorf("charge on the new default: %v %v", ch, err)
		}
		if _, err := e.svc.UpdateCustomer(ctx, e.auth, c.ID, &kessai.CustomerUpdate{DefaultCard: "card_test_nope"}); code(err) != kessai.ENotFound {
			t.Errorf("default card of another: %v", err)
		}

		// Card edits and deletion; the default falls back to the other card.
		card, err := e.svc.UpdateCard(ctx, e.auth, c.ID, card2, &kessai.CardUpdate{Name: ptr("S. Prasert"), ExpirationYear: ptr(2036), City: ptr("Bangkok")})
		if err != nil || card.Name != "S. Prasert" || card.ExpirationYear != 2036 || *card.City != "Bangkok" {
			t.Errorf("UpdateCard = %+v, %v", card, err)
		}
		if _, err := e.svc.UpdateCard(ctx, e.auth, c.ID, card2, &kessai.CardUpdate{ExpirationYear: ptr(2001)}); code(err) != kessai.EInvalidCard {
			t.Errorf("expired card update: %v", err)
		}
		d, err := e.svc.DeleteCard(ctx, e.auth, c.ID, card2)
		if err != nil || !d.Deleted || d.Object != "card" || d.ID != card2 {
			t.Errorf("DeleteCard = %+v, %v", d, err)
		}
		c, _ = e.svc.FindCustomer(ctx, e.auth, c.ID)
		if *c.DefaultCard != card1 || c.Cards.Total != 1 {
			t.Errorf("after deleting the default: default %v cards %d", *c.DefaultCard, c.Cards.Total)
		}
		if _, err := e.svc.CreateCharge(ctx, e.auth, &kessai.ChargeInput{Amount: 5000, Currency: "thb", Customer: c.ID, Card: card2}); code(err) != kessai.ENotFound {
			t.Errorf("charge on a deleted card: %v", err)
		}

		want := []string{kessai.EventCustomerCreate, kessai.EventCustomerUpdateCard, kessai.EventCustomerUpdate}
		if diff := cmp.Diff(want, e.eventKeys(t, c.ID)); diff != "" {
			t.Errorf("customer events (-want +got):\n%s", diff)
		}

		// Deletion.
		d, err = e.svc.DeleteCustomer(ctx, e.auth, c.ID)
		if err != nil || !d.Deleted || d.Object != "customer" {
			t.Fatalf("DeleteCustomer = %+v, %v", d, err)
		}
		if _, err := e.svc.FindCustomer(ctx, e.auth, c.ID); code(err) != kessai.ENotFound {
			t.Errorf("deleted customer: %v", err)
		}
		if _, err := e.svc.CreateCharge(ctx, e.auth, &kessai.ChargeInput{Amount: 5000, Currency: "thb", Customer: c.ID}); code(err) != kessai.ENotFound {
			t.Errorf("charge on a deleted customer: %v", err)
		}
		all, _ := e.svc.ListEvents(ctx, e.auth, kessai.ListParams{Order: kessai.ReverseChronological, Limit: 1})
		if all.Data[0].Key != kessai.EventCustomerDestroy || !strings.Contains(string(all.Data[0].Data), `"deleted":true`) {
			t.Errorf("last event = %s %s", all.Data[0].Key, all.Data[0].Data)
		}
	})
}

func TestCardVerificationFails(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		for _, number := range []string{"4111111111160001", "4111111111140011"} {
			_, err := e.svc.CreateCustomer(ctx, e.auth, &kessai.CustomerInput{Email: ptr("x@example.com"), Card: e.token(t, number)})
			if code(err) != kessai.EInvalidCard {
				t.Errorf("%s: CreateCustomer = %v, want invalid_card", number, err)
			}
		}
		if l, _ := e.svc.ListCustomers(ctx, e.auth, kessai.ListParams{}); l.Total != 0 {
			t.Errorf("customers created: %d", l.Total)
		}
		c, err := e.svc.CreateCustomer(ctx, e.auth, &kessai.CustomerInput{Email: ptr("y@example.com")})
		if err != nil || c.DefaultCard != nil || c.Cards.Total != 0 {
			t.Fatalf("customer without card = %+v, %v", c, err)
		}
		if _, err := e.svc.UpdateCustomer(ctx, e.auth, c.ID, &kessai.CustomerUpdate{Card: e.token(t, "4111111111160001")}); code(err) != kessai.EInvalidCard {
			t.Errorf("UpdateCustomer with a bad card = %v", err)
		}
		c, _ = e.svc.FindCustomer(ctx, e.auth, c.ID)
		if c.Cards.Total != 0 || c.DefaultCard != nil {
			t.Errorf("a failed verification attached a card: %+v", c.Cards)
		}
		if _, err := e.svc.CreateCharge(ctx, e.auth, &kessai.ChargeInput{Amount: 5000, Currency: "thb", Customer: c.ID}); code(err) != kessai.EMissingCard {
			t.Errorf("charge on a customer without cards: %v", err)
		}
		if _, err := e.svc.UpdateCustomer(ctx, e.auth, "cust_test_nope", &kessai.CustomerUpdate{Card: "tokn_test_x"}); code(err) != kessai.ENotFound {
			t.Errorf("update of a missing customer: %v", err)
		}
	})
}

func TestSearchAndLists(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		paid := e.charge(t, "4242424242424242", 100000, true)
		e.charge(t, "4111111111140011", 5000, true)
		res, err := e.svc.Search(ctx, e.auth, &kessai.SearchParams{Scope: "charge", Filters: map[string]string{"captured": "yes", "amount": "1000"}})
		if err != nil {
			t.Fatal(err)
		}
		data := res.Data.([]*kessai.Charge)
		if res.Total != 1 || data[0].ID != paid.ID || res.Page != 1 || res.PerPage != 30 || res.Order != kessai.ReverseChronological {
			t.Errorf("search = %+v", res)
		}
		res, err = e.svc.Search(ctx, e.auth, &kessai.SearchParams{Scope: "dispute"})
		if err != nil || res.Total != 0 {
			t.Errorf("dispute search = %+v, %v", res, err)
		}
		if _, err := e.svc.Search(ctx, e.auth, &kessai.SearchParams{Scope: "charge", Filters: map[string]string{"colour": "red"}}); code(err) != kessai.EInvalidFilter {
			t.Errorf("bad filter: %v", err)
		}
		if _, err := e.svc.Search(ctx, e.auth, &kessai.SearchParams{Scope: "planet"}); code(err) != kessai.EInvalidScope {
			t.Errorf("bad scope: %v", err)
		}
		l, err := e.svc.ListTransactions(ctx, e.auth, kessai.ListParams{})
		if err != nil || l.Total != 1 {
			t.Errorf("transactions = %v, %v", l, err)
		}
		if _, err := e.svc.ListObjectEvents(ctx, e.auth, "chrg_test_nope", kessai.ListParams{}); code(err) != kessai.ENotFound {
			t.Errorf("events of a missing charge: %v", err)
		}
		ch, err := e.svc.UpdateCharge(ctx, e.auth, paid.ID, &kessai.ChargeUpdate{Description: ptr("order 43"), Metadata: kessai.Metadata{"a": "b"}})
		if err != nil || *ch.Description != "order 43" || ch.Metadata["a"] != "b" || ch.Status != kessai.ChargeSuccessful {
			t.Errorf("UpdateCharge = %+v, %v", ch, err)
		}
		if diff := cmp.Diff([]string{kessai.EventChargeCreate, kessai.EventChargeUpdate}, e.eventKeys(t, paid.ID)); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
		// Another mode sees nothing.
		live := &kessai.Auth{AccountID: e.acct.ID, Livemode: true, Kind: kessai.SecretKey}
		if _, err := e.svc.FindCharge(ctx, live, paid.ID); code(err) != kessai.ENotFound {
			t.Errorf("test charge in live mode: %v", err)
		}
	})
}
