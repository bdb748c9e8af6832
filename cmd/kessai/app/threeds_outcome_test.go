package app_test

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kessai/kessai/internal/dbtest"
)

// TestThreeDSOutcomes runs the ACS's A, I and U test cards through the
// real DS, ACS and issuer host (CAVVs checked): A is authorized with ECI 06
// and its CAVV; I without a CAVV (ECI 07, Mastercard 00) and without
// liability shift; U fails by default and is authorized like I once the
// account says three_d_secure_unavailable=authorize. PATCH /account
// refuses bad values with 400 and changes nothing.
func TestThreeDSOutcomes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		p := startThreeDSPlatform(t, dsn, nil)
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: p.CA.CertPool()}},
			CheckRedirect: func(req *http.Request, _ []*http.Request) error {
				if !strings.HasPrefix(req.URL.String(), p.HTTPSURL()) {
					return http.ErrUseLastResponse
				}
				return nil
			}}
		authenticate := func(t *testing.T, number string) (outcome, bool) {
			t.Helper()
			ch := charge3DS(t, p, number, 5000, "http://shop.example/return", true)
			uri := ch["authorize_uri"].(string)
			for _, step := range []func() (*http.Response, error){
				func() (*http.Response, error) { return client.Get(uri) },
				func() (*http.Response, error) {
					return client.PostForm(uri, url.Values{"browser_javascript_enabled": {"false"}})
				},
			} {
				res, err := step()
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
			}
			got := settled(t, p, ch["id"].(string))
			if got.Holds > 0 {
				got.Holds = 1
			}
			got.Events = nil
			tds, _ := p.do("GET", "/charges/"+ch["id"].(string), p.creds.SecretKey, nil).Object["three_d_secure"].(map[string]any)
			shift, _ := tds["liability_shift"].(bool)
			return got, shift
		}
		for _, tc := range []struct {
			name, card string
			want       outcome
			shift      bool
		}{
			{"Attempted", acsCard("400000000000", "600"), outcome{Status: "successful", AuthenticatedBy: "3DS", AuthStatus: "attempted", ECI: "06", Holds: 1}, true},
			{"Informational", acsCard("400000000000", "700"), outcome{Status: "successful", AuthStatus: "informational", ECI: "07", Holds: 1}, false},
			{"InformationalMastercard", acsCard("520000000000", "700"), outcome{Status: "successful", AuthStatus: "informational", ECI: "00", Holds: 1}, false},
			{"UnavailableDeclined", acsCard("400000000000", "500"), outcome{Status: "failed", FailureCode: "payment_rejected", AuthStatus: "unavailable", ECI: "07"}, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, shift := authenticate(t, tc.card)
				if fmt.Sprint(got) != fmt.Sprint(tc.want) || shift != tc.shift {
					t.Errorf("got  %+v shift %v\nwant %+v shift %v", got, shift, tc.want, tc.shift)
				}
			})
		}

		// The account's settings: shown, refused when bad, changed.
		acct := p.do("GET", "/account", p.creds.SecretKey, nil).Object
		if acct["three_d_secure"] != "required" || acct["three_d_secure_unavailable"] != "decline" || acct["object"] != "account" {
			t.Fatalf("GET /account: %v", acct)
		}
		for _, bad := range []url.Values{
			{"three_d_secure": {"always"}},
			{"three_d_secure_unavailable": {"authorize"}, "three_d_secure": {"sometimes"}},
			{"three_d_secure_unavailable": {"proceed"}, "webhook_uri": {"https://shop.example/hooks"}},
		} {
			res := p.do("PATCH", "/account", p.creds.SecretKey, bad)
			if res.Status != 400 || res.Object["code"] != "bad_request" || !strings.Contains(fmt.Sprint(res.Object["message"]), "three_d_secure") {
				t.Errorf("PATCH %v: %d %s", bad, res.Status, res.Body)
			}
		}
		acct = p.do("GET", "/account", p.creds.SecretKey, nil).Object
		if acct["three_d_secure"] != "required" || acct["three_d_secure_unavailable"] != "decline" || acct["webhook_uri"] != nil {
			t.Fatalf("after bad PATCHes: %v", acct)
		}
		res := p.do("PATCH", "/account", p.creds.SecretKey, `{"three_d_secure_unavailable":"authorize"}`)
		if res.Status != 200 || res.Object["three_d_secure_unavailable"] != "authorize" || res.Object["three_d_secure"] != "required" {
			t.Fatalf("PATCH authorize: %d %s", res.Status, res.Body)
		}
		t.Run("UnavailableAuthorized", func(t *testing.T) {
			got, shift := authenticate(t, acsCard("400000000000", "500"))
			want := outcome{Status: "successful", AuthStatus: "unavailable", ECI: "07", Holds: 1}
			if fmt.Sprint(got) != fmt.Sprint(want) || shift {
				t.Errorf("got  %+v shift %v\nwant %+v", got, shift, want)
			}
		})
		// when_asked: a charge with return_uri and no authentication=3DS
		// is authorized at once.
		if res := p.do("PATCH", "/account", p.creds.SecretKey, url.Values{"three_d_secure": {"when_asked"}}); res.Status != 200 || res.Object["three_d_secure"] != "when_asked" {
			t.Fatalf("PATCH when_asked: %d %s", res.Status, res.Body)
		}
		tok := p.do("POST", "/tokens", p.creds.PublicKey, cardForm(cardFrictionless, "12", "2031", "123")).Object["id"].(string)
		ch := p.do("POST", "/charges", p.creds.SecretKey, url.Values{"amount": {"5000"}, "currency": {"jpy"}, "card": {tok}, "return_uri": {"http://shop.example/return"}})
		if ch.Status != 200 || ch.Object["status"] != "successful" || ch.Object["authorize_uri"] != nil {
			t.Errorf("when_asked charge: %d %s", ch.Status, ch.Body)
		}
	})
}
