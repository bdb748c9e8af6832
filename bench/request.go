package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxBody is the most of a response body a scenario reads.
const maxBody = 1 << 20

// apiObject is the part of an Omise object that the scenarios look at.
// Fields an object does not have stay zero (null decodes as zero too).
type apiObject struct {
	Object string `json:"object"`
	ID     string `json:"id"`
	// Charges.
	Status      string `json:"status"`
	Authorized  bool   `json:"authorized"`
	FailureCode string `json:"failure_code"`
	// Customers.
	DefaultCard string `json:"default_card"`
}

// newRequest returns a request for t's base URL and path, authenticated
// with key as the user of basic auth and with body, unless nil, encoded as
// JSON. It fails only when body does not encode or the URL is invalid.
func newRequest(ctx context.Context, t Target, method, path, key string, body any) (*http.Request, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, t.BaseURL+path, r)
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(key, "")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	return req, nil
}

// call sends req and checks that the answer is 200 with a JSON object of
// the given kind whose id has the given prefix; into, if not nil, receives
// the object. It returns a *StatusError for another status (with the code
// of an Omise error object in the body, if any), a *ResponseError for
// another body, and the client's error when there is no answer. It reads
// and closes the body, so that the connection can be reused.
func call(c *http.Client, req *http.Request, object, idPrefix string, into *apiObject) error {
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		se := &StatusError{Status: res.StatusCode}
		var e struct {
			Object string `json:"object"`
			Code   string `json:"code"`
		}
		if json.Unmarshal(b, &e) == nil && e.Object == "error" && len(e.Code) <= 64 {
			se.Code = e.Code
		}
		return se
	}
	var v apiObject
	if into == nil {
		into = &v
	}
	switch err := json.Unmarshal(b, into); {
	case err != nil:
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return &ResponseError{Reason: "field " + te.Field + " is a JSON " + te.Value + ", not a " + te.Type.String()}
		}
		return &ResponseError{Reason: "body is not a JSON object"}
	case into.Object != object:
		return &ResponseError{Reason: "object is " + strconv.Quote(into.Object) + ", not " + strconv.Quote(object)}
	case !strings.HasPrefix(into.ID, idPrefix):
		return &ResponseError{Reason: "id does not start with " + idPrefix}
	}
	return nil
}

// expectObject is call without the object.
func expectObject(c *http.Client, req *http.Request, object, idPrefix string) error {
	return call(c, req, object, idPrefix, nil)
}

// step names the request an error of a scenario with several requests
// came from, such as "POST /charges"; the error's kind stays that of err.
func step(name string, err error) error {
	if err == nil {
		return nil
	}
	return &stepError{name, err}
}

type stepError struct {
	step string
	err  error
}

func (e *stepError) Error() string { return e.step + ": " + e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }
