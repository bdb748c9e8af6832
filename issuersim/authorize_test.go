package issuersim_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai/card"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/iso8583msg"
	"github.com/kessai/kessai/issuersim"
)

// TestTestCards sends an authorization for every test card of omise-api.md
// §7 over TCP and checks the documented outcome.
func TestTestCards(t *testing.T) {
	type want struct{ code, cvv2 string }
	cards := map[string]want{}
	add := func(w want, pans ...string) {
		for _, p := range pans {
			cards[p] = w
		}
	}
	add(want{"00", "M"}, "4242424242424242", "4111111111111111", "5555555555554444", "5454545454545454",
		"3530111333300000", "3566111111111113", "378282246310005", "6447032400000000001", "36021042000004",
		"6250947000000006", "4111111111150002", "4111111111140003")
	add(want{"51", "M"}, "4111111111140011", "5555551111110011", "3530111111190011", "6250947000000014")
	add(want{"41", ""}, "4111111111130012", "3530111111180012")
	add(want{"43", ""}, "5555551111100012", "6250947000000022")
	add(want{"96", ""}, "4111111111120013", "5555551111190013", "3530111111170013", "6250947000000030",
		"377138160000009", "6447032400001111005", "36021042111108")
	add(want{"05", ""}, "4111111111110014", "5555551111180014", "3530111111160014", "6250947000000048")
	add(want{"59", ""}, "4111111111190016", "5555551111160016", "3530111111140016", "6250947000000055")
	add(want{"14", ""}, "4111111111180017", "5555551111150017", "3530111111130017", "6250947000000063")
	add(want{"N7", "N"}, "4111111111160001", "5555551111130001", "3530111111110001")

	dbtest.Run(t, func(t *testing.T, dsn string) {
		s := start(t, dsn, issuersim.Faults{})
		c := dial(t, s.Addr())
		for pan, w := range cards {
			cvv := "123"
			if card.BrandOf(pan) == card.Amex {
				cvv = "1234"
			}
			resp := c.authorize(pan, 100000, cvv)
			got := want{resp.ResponseCode, ""}
			if resp.Additional != nil {
				got.cvv2 = resp.Additional.CVV2Result
			}
			if got != w {
				t.Errorf("****%s: got %+v, want %+v", pan[len(pan)-4:], got, w)
			}
			if (resp.ResponseCode == "00") != (resp.ApprovalCode != "") {
				t.Errorf("****%s: code %s with approval code %q", pan[len(pan)-4:], resp.ResponseCode, resp.ApprovalCode)
			}
			if len(resp.RRN) != 12 {
				t.Errorf("****%s: RRN %q", pan[len(pan)-4:], resp.RRN)
			}
		}
		// The invalid_security_code cards fail without a code as well.
		if resp := c.authorize("4111111111160001", 100, ""); resp.ResponseCode != "N7" {
			t.Errorf("invalid_security_code card without a code: %s", resp.ResponseCode)
		}
	})
}

func TestAuthorizeChecks(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		s := start(t, dsn, issuersim.Faults{})
		c := dial(t, s.Addr())
		const pan = "4000056655665556" // not a listed test card: auto-created

		resp := c.authorize(pan, 1000, "")
		if resp.ResponseCode != "00" || resp.Additional != nil {
			t.Fatalf("first authorization: %s %+v", resp.ResponseCode, resp.Additional)
		}
		if diff := cmp.Diff(issuersim.Balance{Currency: "thb", Held: 1000, Available: issuersim.DefaultLimit - 1000}, balance(t, s, pan)); diff != "" {
			t.Errorf("balance after hold (-want +got):\n%s", diff)
		}
		// Over the credit line.
		if resp := c.authorize(pan, issuersim.DefaultLimit, ""); resp.ResponseCode != "51" {
			t.Errorf("over the limit: %s", resp.ResponseCode)
		}
		// A zero amount verifies the card and holds nothing.
		if resp := c.authorize(pan, 0, "999"); resp.ResponseCode != "00" || resp.Additional.CVV2Result != "M" {
			t.Errorf("verification: %s", resp.ResponseCode)
		}
		if got := balance(t, s, pan).Held; got != 1000 {
			t.Errorf("held after verification = %d", got)
		}
		// Luhn failure.
		if resp := c.authorize("4242424242424241", 100, ""); resp.ResponseCode != "14" {
			t.Errorf("bad check digit: %s", resp.ResponseCode)
		}
		// Expired card.
		req := c.auth(pan, 100, "")
		req.Expiry = iso8583msg.Sensitive(iso8583msg.Expiry(1, time.Now().Year()-1))
		if resp := c.roundTrip(req).(*iso8583msg.CardResponse); resp.ResponseCode != "54" {
			t.Errorf("expired: %s", resp.ResponseCode)
		}
		// Another currency has its own credit line.
		req = c.auth(pan, issuersim.DefaultLimit, "")
		req.Currency = "392"
		if resp := c.roundTrip(req).(*iso8583msg.CardResponse); resp.ResponseCode != "00" {
			t.Errorf("full line in JPY: %s", resp.ResponseCode)
		}
		// A malformed request gets 30 and an unknown type 12.
		req = c.auth(pan, 100, "")
		req.PAN = ""
		if resp := c.roundTrip(req).(*iso8583msg.CardResponse); resp.ResponseCode != "30" || resp.STAN != req.STAN {
			t.Errorf("no PAN: %s (STAN %s)", resp.ResponseCode, resp.STAN)
		}
		req = c.auth(pan, 100, "")
		req.ProcessingCode = "310000"
		if resp := c.roundTrip(req).(*iso8583msg.CardResponse); resp.ResponseCode != "12" {
			t.Errorf("balance inquiry: %s", resp.ResponseCode)
		}
	})
}

func TestSetAccount(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		s := start(t, dsn, issuersim.Faults{})
		c := dial(t, s.Addr())
		ctx := context.Background()
		n := card.MustParseNumber("5200828282828210")
		year := time.Now().Year() + 2
		err := s.SetAccount(ctx, issuersim.AccountSpec{
			Card: n, CreditLimit: 5000, SecurityCode: card.NewSecurityCode("321"),
			ExpirationMonth: 6, ExpirationYear: year,
		})
		if err != nil {
			t.Fatal(err)
		}
		good := func(cvv string) *iso8583msg.CardRequest {
			r := c.auth(n.Reveal(), 1000, cvv)
			r.Expiry = iso8583msg.Sensitive(iso8583msg.Expiry(6, year))
			return r
		}
		for _, tc := range []struct {
			name      string
			req       *iso8583msg.CardRequest
			code, cvv string
		}{
			{"right code", good("321"), "00", "M"},
			{"wrong code", good("123"), "N7", "N"},
			{"no code", good(""), "00", ""},
			{"other expiry", c.auth(n.Reveal(), 1000, "321"), "54", ""},
		} {
			resp := c.roundTrip(tc.req).(*iso8583msg.CardResponse)
			var cvv string
			if resp.Additional != nil {
				cvv = resp.Additional.CVV2Result
			}
			if resp.ResponseCode != tc.code || cvv != tc.cvv {
				t.Errorf("%s: %s/%q, want %s/%q", tc.name, resp.ResponseCode, cvv, tc.code, tc.cvv)
			}
		}
		// The credit line is 5000: two holds of 1000 leave 3000.
		if resp := c.roundTrip(good("321")); resp.(*iso8583msg.CardResponse).ResponseCode != "00" {
			t.Error("third hold declined")
		}
		if resp := c.roundTrip(func() *iso8583msg.CardRequest { r := good("321"); r.Amount = 3001; return r }()); resp.(*iso8583msg.CardResponse).ResponseCode != "51" {
			t.Error("hold past the line approved")
		}
		for status, code := range map[issuersim.Status]string{issuersim.Lost: "41", issuersim.Stolen: "43", issuersim.Frozen: "62", issuersim.Closed: "14"} {
			if err := s.SetAccount(ctx, issuersim.AccountSpec{Card: n, CreditLimit: 5000, Status: status}); err != nil {
				t.Fatal(err)
			}
			if resp := c.authorize(n.Reveal(), 1, ""); resp.ResponseCode != code {
				t.Errorf("%s: %s, want %s", status, resp.ResponseCode, code)
			}
		}
		if err := s.SetAccount(ctx, issuersim.AccountSpec{Card: n, Status: "gone"}); err == nil {
			t.Error("unknown status accepted")
		}
		if _, err := s.Account(ctx, card.MustParseNumber("4012888888881881")); err != issuersim.ErrNoAccount {
			t.Errorf("unseen card: %v", err)
		}
	})
}

func TestNetworkManagement(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		s := start(t, dsn, issuersim.Faults{DeclineShare: 1})
		c := dial(t, s.Addr())
		for code, want := range map[string]string{iso8583msg.SignOn: "00", iso8583msg.Echo: "00", iso8583msg.SignOff: "00", "999": "12"} {
			tr := c.trace()
			resp := c.roundTrip(&iso8583msg.NetworkRequest{MTI: iso8583msg.MTINetwork, Trace: tr, Code: code}).(*iso8583msg.NetworkResponse)
			if resp.ResponseCode != want || resp.STAN != tr.STAN || resp.TerminalID != tr.TerminalID || resp.Code != code {
				t.Errorf("0800/%s: %+v", code, resp)
			}
		}
	})
}

// TestThreeDSHook checks that the 3-D Secure hook sees ECI and CAVV and
// that its answer declines.
func TestThreeDSHook(t *testing.T) {
	var seen []issuersim.ThreeDSData
	s, err := issuersim.New(issuersim.Config{
		DSN: dbtest.SQLiteDSN(t),
		VerifyCAVV: func(_ context.Context, a issuersim.ThreeDSData) string {
			seen = append(seen, a)
			if a.CAVV != "good-cavv" {
				return iso8583msg.DoNotHonor
			}
			return ""
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background(), "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := dial(t, s.Addr())
	for cavv, want := range map[string]string{"good-cavv": "00", "bad-cavv": "05"} {
		req := c.auth("4242424242424242", 100, "")
		req.Additional.ECI, req.Additional.CAVV = "05", iso8583msg.Sensitive(cavv)
		if r := c.roundTrip(req).(*iso8583msg.CardResponse); r.ResponseCode != want {
			t.Errorf("CAVV %s: %s, want %s", cavv, r.ResponseCode, want)
		}
	}
	// Without 3-D Secure data the hook is not asked.
	c.authorize("4242424242424242", 100, "")
	if len(seen) != 2 || seen[0].ECI != "05" || seen[0].Last4 != "4242" {
		t.Errorf("hook saw %+v", seen)
	}
}
