package kessai_test

import (
	"encoding/json"
	"testing"

	"github.com/kessai/kessai"
	"github.com/omise/omise-go"
)

func TestEventJSON(t *testing.T) {
	c := newCharge()
	e, err := kessai.NewEvent(kessai.EventChargeCreate, "acct_1", false, c.ID, c, t0)
	if err != nil {
		t.Fatal(err)
	}
	if !kessai.HasPrefix(e.ID, kessai.PrefixEvent) || e.Location != "/events/"+e.ID || e.ObjectID != c.ID {
		t.Errorf("event = %+v", e)
	}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var got omise.Event
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if ch, ok := got.Data.(*omise.Charge); !ok || ch.ID != c.ID || got.Key != "charge.create" {
		t.Errorf("omise-go reads %+v", got)
	}

	// An event without data still has an object as data, never null.
	for _, ev := range []kessai.Event{{}, {Data: json.RawMessage("null")}} {
		m, _ := keysOf(t, ev)
		if string(m["data"]) != "{}" || string(m["webhook_deliveries"]) != "[]" {
			t.Errorf("empty event encodes data %s, deliveries %s", m["data"], m["webhook_deliveries"])
		}
	}

	// A deletion is decoded by omise-go as a Deletion.
	d, _ := kessai.NewEvent(kessai.EventCustomerDestroy, "acct_1", false, "cust_test_1", kessai.NewDeletion("customer", "cust_test_1", false), t0)
	b, _ = json.Marshal(d)
	var gd omise.Event
	if err := json.Unmarshal(b, &gd); err != nil {
		t.Fatal(err)
	}
	if del, ok := gd.Data.(*omise.Deletion); !ok || !del.Deleted || del.ID != "cust_test_1" || del.Object != "customer" {
		t.Errorf("omise-go reads deletion %+v", gd.Data)
	}
}
