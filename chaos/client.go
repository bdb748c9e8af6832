package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// client talks to the gateway's API.
type client struct {
	http       *http.Client
	base       string
	pkey, skey string
}

func newClient(base, pkey, skey string, timeout time.Duration) *client {
	tr := &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}
	return &client{http: &http.Client{Transport: tr, Timeout: timeout}, base: base, pkey: pkey, skey: skey}
}

// object is the part of an Omise object (or error) the suites look at.
type object struct {
	Object         string          `json:"object"`
	ID             string          `json:"id"`
	Code           string          `json:"code"`
	Message        string          `json:"message"`
	Status         string          `json:"status"`
	Amount         int64           `json:"amount"`
	Authorized     bool            `json:"authorized"`
	Paid           bool            `json:"paid"`
	FailureCode    *string         `json:"failure_code"`
	RefundedAmount int64           `json:"refunded_amount"`
	Description    *string         `json:"description"`
	DefaultCard    string          `json:"default_card"`
	Total          int             `json:"total"`
	Data           json.RawMessage `json:"data"`
}

// answer is what came back for one request.
type answer struct {
	Status int
	Obj    object
	Raw    string
	// Err is set when no answer came (the connection failed or the
	// client's timeout passed): the request was not acknowledged.
	Err error
	// Took is how long the request took.
	Took time.Duration
}

// acked reports whether the gateway answered with an object of the kind.
func (a *answer) acked(kind string) bool {
	return a.Err == nil && a.Status == 200 && a.Obj.Object == kind
}

// errorObject reports whether the gateway answered with an Omise error.
func (a *answer) errorObject() bool {
	return a.Err == nil && a.Status >= 400 && a.Obj.Object == "error" && a.Obj.Code != ""
}

func (a *answer) String() string {
	if a.Err != nil {
		return "no answer: " + a.Err.Error()
	}
	raw := a.Raw
	if len(raw) > 300 {
		raw = raw[:300] + "…"
	}
	return fmt.Sprintf("%d %s", a.Status, raw)
}

// do sends a request with the key as Basic auth user, a form (nil for
// none) and header pairs.
func (c *client) do(ctx context.Context, method, path, key string, form url.Values, header ...string) *answer {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	a := &answer{}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		a.Err = err
		return a
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.SetBasicAuth(key, "")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	start := time.Now()
	res, err := c.http.Do(req)
	if err != nil {
		a.Err, a.Took = err, time.Since(start)
		return a
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	a.Took = time.Since(start)
	if err != nil {
		a.Err = err
		return a
	}
	a.Status, a.Raw = res.StatusCode, string(b)
	json.Unmarshal(b, &a.Obj)
	return a
}

// testCards are approved test cards.
var testCards = []string{"4242424242424242", "5555555555554444", "3530111333300000", "4111111111111111", "5454545454545454"}

// token creates a token of an approved test card and returns its answer.
func (c *client) token(ctx context.Context, n int) *answer {
	return c.do(ctx, "POST", "/tokens", c.pkey, url.Values{
		"card[name]":             {"Chaos Monkey"},
		"card[number]":           {testCards[n%len(testCards)]},
		"card[expiration_month]": {"12"},
		"card[expiration_year]":  {fmt.Sprint(time.Now().Year() + 3)},
		"card[security_code]":    {"123"},
	})
}

// list reads every object of a list endpoint, oldest first.
func (c *client) list(ctx context.Context, path string) ([]object, error) {
	var out []object
	for offset := 0; ; offset += 100 {
		a := c.do(ctx, "GET", fmt.Sprintf("%s?limit=100&offset=%d&order=chronological", path, offset), c.skey, nil)
		if !a.acked("list") {
			return nil, fmt.Errorf("GET %s: %s", path, a)
		}
		var page []json.RawMessage
		if err := json.Unmarshal(a.Obj.Data, &page); err != nil {
			return nil, fmt.Errorf("GET %s: data: %w", path, err)
		}
		for _, d := range page {
			var o object
			if err := json.Unmarshal(d, &o); err != nil {
				return nil, fmt.Errorf("GET %s: %w", path, err)
			}
			out = append(out, o)
		}
		if len(page) == 0 || offset+len(page) >= a.Obj.Total {
			return out, nil
		}
	}
}
