package httpapi_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/httpapi"
)

// A later package adds endpoints with Handle; they get authentication,
// parameters, idempotency, errors and logging from the server.
func ExampleServer_Handle() {
	s := httpapi.New(httpapi.Config{Accounts: newFakeAccounts()})
	s.Handle(http.MethodPost, "/charges", func(w http.ResponseWriter, r *http.Request) error {
		p := httpapi.ParamsOf(r)
		amount := p.Int64("amount")
		capture := !p.Has("capture") || p.Bool("capture")
		if err := p.Err(); err != nil {
			return err
		}
		if amount < 2000 {
			return kessai.Errorf(kessai.EInvalidCharge, "amount must be at least 2000")
		}
		return httpapi.WriteJSON(w, map[string]any{"object": "charge", "amount": amount, "capture": capture})
	})
	s.Handle(http.MethodGet, "/charges", func(w http.ResponseWriter, r *http.Request) error {
		lp, err := httpapi.ListParamsOf(r)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, kessai.NewList("/charges", lp, []string{}, 0))
	})

	for _, body := range []string{"amount=100000&capture=false", "amount=100", "amount=lots"} {
		r := httptest.NewRequest("POST", "/charges/", strings.NewReader(body))
		r.SetBasicAuth(skeyA, "")
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Body)
	}
	r := httptest.NewRequest("GET", "/charges?limit=500", nil)
	r.SetBasicAuth(skeyA, "")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	fmt.Println(w.Code, strings.Contains(w.Body.String(), `"limit":100`))
	// Output:
	// 200 {"amount":100000,"capture":false,"object":"charge"}
	// 400 {"object":"error","location":"https://www.omise.co/api-errors#invalid-charge","code":"invalid_charge","message":"amount must be at least 2000"}
	// 400 {"object":"error","location":"https://www.omise.co/api-errors#bad-request","code":"bad_request","message":"amount must be an integer"}
	// 200 true
}
