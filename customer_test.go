package kessai_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai"
	"github.com/omise/omise-go"
)

func TestCustomerJSON(t *testing.T) {
	card := &kessai.Card{Object: "card", ID: "card_test_000000000000000000a", LastDigits: "4242", Brand: "Visa", ExpirationMonth: 12, ExpirationYear: 2030,
		Location: ptr(kessai.CustomerCardLocation("cust_test_000000000000000000a", "card_test_000000000000000000a"))}
	c := &kessai.Customer{
		ID: "cust_test_000000000000000000a", Email: ptr("somchai@example.com"), DefaultCard: &card.ID,
		Cards:     kessai.NewList("", kessai.ListParams{Limit: 20, Order: kessai.Chronological, To: t0}, []*kessai.Card{card}, 1),
		CreatedAt: kessai.Time{Time: t0},
	}
	c.Derive()
	m, keys := keysOf(t, c)
	want := []string{"cards", "created_at", "default_card", "deleted", "description", "email", "id", "livemode", "location", "metadata", "object"}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	if string(m["description"]) != "null" || string(m["metadata"]) != "{}" {
		t.Errorf("description %s, metadata %s", m["description"], m["metadata"])
	}
	b, _ := json.Marshal(c)
	var got omise.Customer
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.DefaultCard != card.ID || got.Cards == nil || len(got.Cards.Data) != 1 || got.Cards.Data[0].ExpirationMonth != 12 ||
		*got.Cards.Location != "/customers/cust_test_000000000000000000a/cards" {
		t.Errorf("omise-go reads %+v", got)
	}
}

func TestDeletionJSON(t *testing.T) {
	b, _ := json.Marshal(kessai.NewDeletion("card", "card_test_1", false))
	if string(b) != `{"object":"card","id":"card_test_1","livemode":false,"deleted":true}` {
		t.Errorf("deletion = %s", b)
	}
}

func TestRefundJSON(t *testing.T) {
	r := &kessai.Refund{ID: "rfnd_test_1", Charge: "chrg_test_1", Amount: 500, Currency: "thb", Status: kessai.RefundClosed, CreatedAt: kessai.Time{Time: t0}}
	r.Derive()
	m, keys := keysOf(t, r)
	want := []string{"amount", "charge", "created_at", "currency", "funding_amount", "funding_currency", "id", "livemode",
		"location", "metadata", "object", "status", "transaction", "voided"}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	if string(m["location"]) != `"/charges/chrg_test_1/refunds/rfnd_test_1"` || string(m["transaction"]) != "null" {
		t.Errorf("location %s, transaction %s", m["location"], m["transaction"])
	}
}
