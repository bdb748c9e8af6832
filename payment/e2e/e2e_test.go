package e2e_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/httpapi"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/iso8583link"
	"github.com/kessai/kessai/issuersim"
	"github.com/kessai/kessai/payment"
	"github.com/kessai/kessai/sqlstore"
	"github.com/kessai/kessai/vault"
	"github.com/kessai/kessai/vault/kek"
	"github.com/omise/omise-go"
	"github.com/omise/omise-go/operations"
)

// stack is the whole gateway on one dialect, and an omise-go client of it.
type stack struct {
	db     *sqlstore.DB
	svc    *payment.Service
	client *omise.Client
	issuer *issuersim.Server
}

func newStack(t *testing.T, dsn string) *stack {
	t.Helper()
	return newStackWith(t, dsn, nil)
}

// newStackWith is newStack whose payment service uses wrap(link) as its
// network link when wrap is not nil.
func newStackWith(t *testing.T, dsn string, wrap func(*iso8583link.Link) kessai.NetworkLink) *stack {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	db := dbtest.Open(t, dsn)

	issuerDSN := dbtest.SQLiteDSN(t)
	if strings.HasPrefix(dsn, "postgres") {
		issuerDSN = dbtest.PostgresDSN(t)
	}
	is, err := issuersim.New(issuersim.Config{DSN: issuerDSN, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if err := is.Start(ctx, "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { is.Close() })
	link, err := iso8583link.New(db, iso8583link.Config{Addr: is.Addr(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { link.Close() })
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second) // a bound on the wait, not an assertion
	defer cancel()
	if err := link.WaitOnline(wctx); err != nil {
		t.Fatal(err)
	}

	k, err := kek.File(filepath.Join(t.TempDir(), "kek"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := vault.Open(ctx, vault.Config{DB: db, KEK: k, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	accounts := &sqlstore.AccountService{DB: db}
	acct := &kessai.Account{Email: "shop@example.com", Country: "TH", Currency: "thb"}
	if err := accounts.CreateAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	pk, err := accounts.CreateKey(ctx, acct.ID, kessai.PublicKey, false, "")
	if err != nil {
		t.Fatal(err)
	}
	sk, err := accounts.CreateKey(ctx, acct.ID, kessai.SecretKey, false, "")
	if err != nil {
		t.Fatal(err)
	}
	var netLink kessai.NetworkLink = link
	if wrap != nil {
		netLink = wrap(link)
	}
	svc := payment.New(payment.Config{DB: db, Vault: v, Link: netLink, Accounts: accounts, Records: db, Logger: quiet})
	srv := httpapi.New(httpapi.Config{Accounts: accounts, Tokens: v})
	srv.AddPayments(httpapi.Payments{
		Charges: svc, Refunds: svc, Customers: svc, Events: svc, Transactions: svc, Balance: svc, Search: svc, Accounts: accounts,
	})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	client, err := omise.NewClient(pk.Key.Reveal(), sk.Key.Reveal())
	if err != nil {
		t.Fatal(err)
	}
	client.Endpoints["https://vault.omise.co"] = ts.URL
	client.Endpoints["https://api.omise.co"] = ts.URL
	return &stack{db: db, svc: svc, client: client, issuer: is}
}

func (s *stack) token(t *testing.T, number string) string {
	t.Helper()
	tok := &omise.Token{}
	if err := s.client.Do(tok, &operations.CreateToken{
		Name: "Somchai Prasert", Number: number, ExpirationMonth: time.December, ExpirationYear: time.Now().Year() + 3, SecurityCode: "123",
	}); err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	return tok.ID
}

// TestEndToEnd charges the documented test cards through the whole stack
// and checks the outcome the simulated issuer gives each.
func TestEndToEnd(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		s := newStack(t, dsn)
		c := s.client
		check := func(what string, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		}

		for number, want := range map[string]string{
			"4242424242424242": "",
			"5555555555554444": "",
			"3530111333300000": "",
			"4111111111140011": "insufficient_fund",
			"4111111111130012": "stolen_or_lost_card",
			"4111111111120013": "failed_processing",
			"4111111111110014": "payment_rejected",
			"4111111111160001": "invalid_security_code",
		} {
			ch := &omise.Charge{}
			check("CreateCharge "+number[len(number)-4:], c.Do(ch, &operations.CreateCharge{Amount: 10000, Currency: "thb", Card: s.token(t, number)}))
			got := ""
			if ch.FailureCode != nil {
				got = *ch.FailureCode
			}
			if got != want || (want == "") != (ch.Status == omise.ChargeSuccessful) {
				t.Errorf("card …%s: status %s failure %q, want %q", number[len(number)-4:], ch.Status, got, want)
			}
		}

		// Authorize, capture in part, refund twice.
		ch := &omise.Charge{}
		check("CreateCharge", c.Do(ch, &operations.CreateCharge{
			Amount: 100000, Currency: "thb", Card: s.token(t, "4242424242424242"), DontCapture: true, AuthorizationType: omise.PreAuth,
		}))
		if ch.Status != omise.ChargePending || !ch.Authorized {
			t.Fatalf("authorization: %+v", ch)
		}
		check("CaptureCharge", c.Do(ch, &operations.CaptureCharge{ChargeID: ch.ID, CaptureAmount: 60000}))
		if ch.Status != omise.ChargeSuccessful || ch.CapturedAmount != 60000 {
			t.Errorf("capture: %+v", ch)
		}
		for _, amt := range []int64{20000, 40000} {
			check("CreateRefund", c.Do(&omise.Refund{}, &operations.CreateRefund{ChargeID: ch.ID, Amount: amt}))
		}
		err := c.Do(&omise.Refund{}, &operations.CreateRefund{ChargeID: ch.ID, Amount: 1})
		if oe, ok := err.(*omise.Error); !ok || oe.Code != "failed_refund" {
			t.Errorf("refund past the capture: %#v", err)
		}

		// Authorize and reverse.
		rev := &omise.Charge{}
		check("CreateCharge", c.Do(rev, &operations.CreateCharge{Amount: 30000, Currency: "thb", Card: s.token(t, "4242424242424242"), DontCapture: true}))
		check("ReverseCharge", c.Do(rev, &operations.ReverseCharge{ChargeID: rev.ID}))
		if rev.Status != omise.ChargeReversed {
			t.Errorf("reverse: %+v", rev)
		}

		// A saved card is verified first; a bad security code attaches
		// nothing.
		cust := &omise.Customer{}
		check("CreateCustomer", c.Do(cust, &operations.CreateCustomer{Email: "somchai@example.com", Card: s.token(t, "4242424242424242")}))
		if cust.DefaultCard == "" || len(cust.Cards.Data) != 1 || !cust.Cards.Data[0].SecurityCodeCheck {
			t.Fatalf("customer: %+v", cust)
		}
		err = c.Do(cust, &operations.UpdateCustomer{CustomerID: cust.ID, Card: s.token(t, "4111111111160001")})
		if oe, ok := err.(*omise.Error); !ok || oe.Code != "invalid_card" {
			t.Errorf("bad security code: %#v", err)
		}
		saved := &omise.Charge{}
		check("CreateCharge customer", c.Do(saved, &operations.CreateCharge{Amount: 5000, Currency: "thb", Customer: cust.ID}))
		if saved.Status != omise.ChargeSuccessful || saved.Card.ID != cust.DefaultCard {
			t.Errorf("saved-card charge: %+v", saved)
		}

		// Nothing is left in flight.
		if n, err := s.svc.Recover(context.Background(), time.Now().Add(time.Minute)); err != nil || n != 0 {
			t.Errorf("recovery after a clean run = %d, %v", n, err)
		}
	})
}
