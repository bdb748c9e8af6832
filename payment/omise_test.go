package payment_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/httpapi"
	"github.com/kessai/kessai/sqlstore"
	"github.com/omise/omise-go"
	"github.com/omise/omise-go/operations"
)

// omiseClient serves e's service over httpapi and returns the official
// omise-go client pointed at it, with the account's test keys.
func omiseClient(t *testing.T, e *env) *omise.Client {
	c, _, _ := omiseServer(t, e)
	return c
}

// omiseServer is omiseClient, and also returns the server's URL and the
// secret key.
func omiseServer(t *testing.T, e *env) (*omise.Client, string, string) {
	t.Helper()
	ctx := context.Background()
	accounts := &sqlstore.AccountService{DB: e.db}
	pk, err := accounts.CreateKey(ctx, e.acct.ID, kessai.PublicKey, false, "")
	if err != nil {
		t.Fatal(err)
	}
	sk, err := accounts.CreateKey(ctx, e.acct.ID, kessai.SecretKey, false, "")
	if err != nil {
		t.Fatal(err)
	}
	srv := httpapi.New(httpapi.Config{Accounts: accounts, Tokens: e.vault, Now: e.clock.Now})
	srv.AddPayments(httpapi.Payments{
		Charges: e.svc, Refunds: e.svc, Customers: e.svc, Events: e.svc, Transactions: e.svc,
		Balance: e.svc, Search: e.svc, Accounts: accounts,
	})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	client, err := omise.NewClient(pk.Key.Reveal(), sk.Key.Reveal())
	if err != nil {
		t.Fatal(err)
	}
	client.Endpoints["https://vault.omise.co"] = ts.URL
	client.Endpoints["https://api.omise.co"] = ts.URL
	return client, ts.URL, sk.Key.Reveal()
}

// TestOmiseGo drives the payment endpoints with the official omise-go
// client, unchanged: charges, captures, reversals, refunds, customers,
// cards, events, transactions, balance, account and search.
func TestOmiseGo(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		c := omiseClient(t, e)
		check := func(what string, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		}
		token := func(number string) string {
			t.Helper()
			tok := &omise.Token{}
			check("CreateToken", c.Do(tok, &operations.CreateToken{
				Name: "Somchai Prasert", Number: number, ExpirationMonth: time.December, ExpirationYear: 2035, SecurityCode: "123",
			}))
			return tok.ID
		}

		// An auto-captured charge, read back, listed, updated, refunded.
		ch := &omise.Charge{}
		check("CreateCharge", c.Do(ch, &operations.CreateCharge{
			Amount: 100000, Currency: "thb", Card: token("4242424242424242"), Description: "order 42",
			Metadata: map[string]interface{}{"order": 42},
		}))
		if ch.Status != omise.ChargeSuccessful || !ch.Paid || ch.Transaction == "" || ch.Currency != "thb" || ch.Card.LastDigits != "4242" ||
			ch.Metadata["order"] != 42.0 || ch.Refunds == nil || *ch.Refunds.Location != "/charges/"+ch.ID+"/refunds" {
			t.Errorf("charge = %+v", ch)
		}
		got := &omise.Charge{}
		check("RetrieveCharge", c.Do(got, &operations.RetrieveCharge{ChargeID: ch.ID}))
		if got.ID != ch.ID || got.Amount != 100000 {
			t.Errorf("retrieved = %+v", got)
		}
		check("UpdateCharge", c.Do(got, &operations.UpdateCharge{ChargeID: ch.ID, Metadata: map[string]interface{}{"order": 43}}))
		if *got.Description != "order 42" || got.Metadata["order"] != 43.0 {
			t.Errorf("updated: description %v metadata %v", *got.Description, got.Metadata)
		}
		list := &omise.ChargeList{}
		check("ListCharges", c.Do(list, &operations.ListCharges{List: operations.List{Limit: 10, Order: omise.ReverseChronological}}))
		if list.Total != 1 || len(list.Data) != 1 || list.Limit != 10 || list.Order != omise.ReverseChronological {
			t.Errorf("charges = %+v", list)
		}
		refund := &omise.Refund{}
		check("CreateRefund", c.Do(refund, &operations.CreateRefund{ChargeID: ch.ID, Amount: 40000}))
		if refund.Amount != 40000 || refund.Charge != ch.ID || refund.Transaction == "" {
			t.Errorf("refund = %+v", refund)
		}
		refunds := &omise.RefundList{}
		check("ListRefunds", c.Do(refunds, &operations.ListRefunds{ChargeID: ch.ID}))
		check("RetrieveRefund", c.Do(&omise.Refund{}, &operations.RetrieveRefund{ChargeID: ch.ID, RefundID: refund.ID}))
		if refunds.Total != 1 || refunds.Data[0].ID != refund.ID {
			t.Errorf("refunds = %+v", refunds)
		}
		err := c.Do(&omise.Refund{}, &operations.CreateRefund{ChargeID: ch.ID, Amount: 60001})
		if oe, ok := err.(*omise.Error); !ok || oe.Code != kessai.EFailedRefund || oe.StatusCode != 400 {
			t.Errorf("over-refund: %#v", err)
		}

		// Authorize, then capture in part; authorize, then reverse.
		pre := &omise.Charge{}
		check("CreateCharge pre_auth", c.Do(pre, &operations.CreateCharge{
			Amount: 50000, Currency: "thb", Card: token("5555555555554444"), DontCapture: true, AuthorizationType: omise.PreAuth,
		}))
		if pre.Status != omise.ChargePending || !pre.Authorized || pre.Paid || pre.ExpiresAt.IsZero() {
			t.Errorf("authorized = %+v", pre)
		}
		check("CaptureCharge", c.Do(pre, &operations.CaptureCharge{ChargeID: pre.ID, CaptureAmount: 30000}))
		if pre.Status != omise.ChargeSuccessful || pre.CapturedAmount != 30000 {
			t.Errorf("captured = %+v", pre)
		}
		rev := &omise.Charge{}
		check("CreateCharge", c.Do(rev, &operations.CreateCharge{Amount: 50000, Currency: "thb", Card: token("4242424242424242"), DontCapture: true}))
		check("ReverseCharge", c.Do(rev, &operations.ReverseCharge{ChargeID: rev.ID}))
		if rev.Status != omise.ChargeReversed || !rev.Reversed {
			t.Errorf("reversed = %+v", rev)
		}

		// A declined card is a failed charge, not an error.
		declined := &omise.Charge{}
		check("CreateCharge declined", c.Do(declined, &operations.CreateCharge{Amount: 5000, Currency: "thb", Card: token("4111111111140011")}))
		if declined.Status != omise.ChargeFailed || declined.FailureCode == nil || *declined.FailureCode != "insufficient_fund" {
			t.Errorf("declined = %+v", declined)
		}

		// Customers and their cards.
		cust := &omise.Customer{}
		check("CreateCustomer", c.Do(cust, &operations.CreateCustomer{Email: "somchai@example.com", Card: token("4242424242424242")}))
		if cust.DefaultCard == "" || cust.Cards == nil || len(cust.Cards.Data) != 1 || !cust.Cards.Data[0].SecurityCodeCheck {
			t.Fatalf("customer = %+v", cust)
		}
		check("UpdateCustomer", c.Do(cust, &operations.UpdateCustomer{CustomerID: cust.ID, Card: token("5555555555554444"), Description: "VIP"}))
		if len(cust.Cards.Data) != 2 || cust.Description != "VIP" {
			t.Errorf("updated customer = %+v", cust)
		}
		saved := &omise.Charge{}
		check("CreateCharge customer", c.Do(saved, &operations.CreateCharge{Amount: 5000, Currency: "thb", Customer: cust.ID}))
		if saved.Status != omise.ChargeSuccessful || saved.CustomerID != cust.ID || saved.Card.ID != cust.DefaultCard {
			t.Errorf("customer charge = %+v", saved)
		}
		cards := &omise.CardList{}
		check("ListCards", c.Do(cards, &operations.ListCards{CustomerID: cust.ID}))
		second := cards.Data[1].ID
		card := &omise.Card{}
		check("UpdateCard", c.Do(card, &operations.UpdateCard{CustomerID: cust.ID, CardID: second, Name: "S. Prasert", ExpirationMonth: time.March, ExpirationYear: 2036}))
		if card.Name != "S. Prasert" || card.ExpirationMonth != time.March || card.ExpirationYear != 2036 {
			t.Errorf("card = %+v", card)
		}
		check("RetrieveCard", c.Do(card, &operations.RetrieveCard{CustomerID: cust.ID, CardID: second}))
		del := &omise.Deletion{}
		check("DestroyCard", c.Do(del, &operations.DestroyCard{CustomerID: cust.ID, CardID: second}))
		if !del.Deleted || del.ID != second {
			t.Errorf("card deletion = %+v", del)
		}
		customers := &omise.CustomerList{}
		check("ListCustomers", c.Do(customers, &operations.ListCustomers{}))
		if customers.Total != 1 {
			t.Errorf("customers = %+v", customers)
		}
		check("DestroyCustomer", c.Do(del, &operations.DestroyCustomer{CustomerID: cust.ID}))
		err = c.Do(&omise.Customer{}, &operations.RetrieveCustomer{CustomerID: cust.ID})
		if oe, ok := err.(*omise.Error); !ok || oe.StatusCode != 404 || oe.Code != "not_found" {
			t.Errorf("deleted customer: %#v", err)
		}

		// Events, transactions, balance, account, search.
		events := &omise.EventList{}
		check("ListEvents", c.Do(events, &operations.ListEvents{List: operations.List{Limit: 100}}))
		if events.Total < 8 {
			t.Errorf("events = %d", events.Total)
		}
		ev := &omise.Event{}
		check("RetrieveEvent", c.Do(ev, &operations.RetrieveEvent{EventID: events.Data[0].ID}))
		if data, ok := ev.Data.(*omise.Charge); !ok || ev.Key != "charge.create" || data.ID != ch.ID {
			t.Errorf("first event = %s %T", ev.Key, ev.Data)
		}
		trxns := &omise.TransactionList{}
		check("ListTransactions", c.Do(trxns, &operations.ListTransactions{}))
		if trxns.Total != 4 || trxns.Data[0].Type != omise.Credit || trxns.Data[1].Type != omise.Debit {
			t.Errorf("transactions = %+v", trxns)
		}
		check("RetrieveTransaction", c.Do(&omise.Transaction{}, &operations.RetrieveTransaction{TransactionID: trxns.Data[0].ID}))
		bal := &omise.Balance{}
		check("RetrieveBalance", c.Do(bal, &operations.RetrieveBalance{}))
		net := func(amount int64) int64 { _, _, n := kessai.DefaultFeeSchedule("TH").Apply(amount); return n }
		if bal.Currency != "thb" || bal.Total != net(100000)-40000+net(30000)+net(5000) {
			t.Errorf("balance = %+v", bal)
		}
		acct := &omise.Account{}
		check("RetrieveAccount", c.Do(acct, &operations.RetrieveAccount{}))
		if acct.ID != e.acct.ID || acct.Email != "shop@example.com" {
			t.Errorf("account = %+v", acct)
		}
		found := &omise.ChargeSearchResult{}
		check("Search", c.Do(found, &operations.Search{Scope: omise.ChargeScope, Filters: map[string]string{"status": "failed"}}))
		if found.Total != 1 || found.Data[0].ID != declined.ID {
			t.Errorf("search = %+v", found)
		}

		// Errors are Omise error objects.
		err = c.Do(&omise.Charge{}, &operations.RetrieveCharge{ChargeID: "chrg_test_nothere0000000000"})
		if oe, ok := err.(*omise.Error); !ok || oe.StatusCode != 404 || oe.Code != "not_found" {
			t.Errorf("missing charge: %#v", err)
		}
		err = c.Do(&omise.Charge{}, &operations.CreateCharge{Amount: 100, Currency: "thb", Card: token("4242424242424242")})
		if oe, ok := err.(*omise.Error); !ok || oe.StatusCode != 400 || oe.Code != "invalid_charge" {
			t.Errorf("charge below the minimum: %#v", err)
		}
	})
}

// TestFormRequests sends the form-encoded requests of the documentation's
// curl examples (and of the PHP and Ruby clients).
func TestFormRequests(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		_, base, skey := omiseServer(t, e)
		send := func(method, path string, form url.Values) (int, map[string]any) {
			t.Helper()
			req, _ := http.NewRequest(method, base+path, strings.NewReader(form.Encode()))
			req.SetBasicAuth(skey, "")
			if form != nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var m map[string]any
			if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
				t.Fatal(err)
			}
			return res.StatusCode, m
		}
		status, ch := send("POST", "/charges/", url.Values{
			"amount": {"250000"}, "currency": {"THB"}, "card": {e.token(t, "4242424242424242")}, "capture": {"0"},
			"metadata[color]": {"red"}, "metadata[size][eu]": {"42"}, "description": {"form charge"},
		})
		if status != 200 || ch["status"] != "pending" || ch["capture"] != false || ch["authorized"] != true ||
			ch["metadata"].(map[string]any)["color"] != "red" || ch["currency"] != "thb" {
			t.Fatalf("form charge: %d %v", status, ch)
		}
		id := ch["id"].(string)
		status, ch = send("POST", "/charges/"+id+"/capture", url.Values{"capture_amount": {"250000"}})
		if status != 200 || ch["status"] != "successful" || ch["paid"] != true {
			t.Errorf("capture: %d %v", status, ch)
		}
		status, l := send("GET", "/charges?limit=1&order=reverse_chronological", nil)
		if status != 200 || l["object"] != "list" || l["limit"] != 1.0 || len(l["data"].([]any)) != 1 {
			t.Errorf("list: %d %v", status, l)
		}
		status, er := send("POST", "/charges", url.Values{"amount": {"100.0"}, "currency": {"thb"}, "card": {"tokn_test_x"}})
		if status != 400 || er["object"] != "error" || er["code"] != "bad_request" {
			t.Errorf("fractional amount: %d %v", status, er)
		}
		status, er = send("GET", "/charges/4242424242424242", nil)
		if status != 404 || strings.Contains(er["message"].(string), "4242") {
			t.Errorf("card number as an id: %d %v", status, er)
		}
		status, res := send("GET", "/search?scope=charge&filters[amount]=2500&filters[captured]=yes", nil)
		if status != 200 || res["total"] != 1.0 || res["filters"].(map[string]any)["amount"] != "2500" {
			t.Errorf("search: %d %v", status, res)
		}
		status, er = send("GET", "/search?scope=charge&per_page=1000", nil)
		if status != 400 || er["code"] != "invalid_page" {
			t.Errorf("big page: %d %v", status, er)
		}
	})
}
