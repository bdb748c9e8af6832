package bench_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// apiServer is a stand-in for the Omise API endpoints the charge
// scenarios use: POST /tokens, POST /charges (card or customer, capture or
// not), GET /charges/{id}, POST /charges/{id}/capture, POST
// /charges/{id}/refunds, POST /customers and DELETE /customers/{id}. It
// checks keys, content types and parameters (JSON, no unknown fields) and
// the state (single-use tokens, capture of pending charges only, refunds
// within the charge), answers Omise-shaped objects, and records every
// request that is not as the scenarios should send it.
type apiServer struct {
	// fault, if set, may answer the n-th (from 1) request of op, such as
	// "POST /charges" (see the ops below), instead of the server; it
	// returns true when it did.
	fault func(op string, n int64, w http.ResponseWriter, r *http.Request) bool
	// decline, if set, returns the failure code of the n-th (from 1)
	// charge the server creates, or "" to approve it.
	decline func(n int64) string

	mu        sync.Mutex
	counts    map[string]int64 // requests by op
	created   int64            // charges created
	invalid   []string
	tokens    map[string]bool // token id: used
	charges   map[string]*chargeObject
	customers map[string]*customerObject
	amounts   []string // "amount currency" of each charge created, and "refund amount" of each refund
}

// The ops of an apiServer. A charge's op says how it pays and captures.
const (
	opToken          = "POST /tokens"
	opChargeCard     = "POST /charges card"
	opChargeAuth     = "POST /charges card capture=false"
	opChargeCustomer = "POST /charges customer"
	opGetCharge      = "GET /charges/{id}"
	opCapture        = "POST /charges/{id}/capture"
	opRefund         = "POST /charges/{id}/refunds"
	opCustomer       = "POST /customers"
	opDeleteCustomer = "DELETE /customers/{id}"
)

func newAPIServer(t *testing.T, s *apiServer) (*apiServer, string) {
	t.Helper()
	if s == nil {
		s = &apiServer{}
	}
	s.counts = map[string]int64{}
	s.tokens = map[string]bool{}
	s.charges = map[string]*chargeObject{}
	s.customers = map[string]*customerObject{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /tokens", s.createToken)
	mux.HandleFunc("POST /charges", s.createCharge)
	mux.HandleFunc("GET /charges/{id}", s.getCharge)
	mux.HandleFunc("POST /charges/{id}/capture", s.capture)
	mux.HandleFunc("POST /charges/{id}/refunds", s.refund)
	mux.HandleFunc("POST /customers", s.createCustomer)
	mux.HandleFunc("DELETE /customers/{id}", s.deleteCustomer)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.reject(w, http.StatusNotFound, "not_found", "%s %s", r.Method, r.URL.Path)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

// count counts a request of op and returns its number, from 1.
func (s *apiServer) count(op string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[op]++
	return s.counts[op]
}

// faulted counts a request of op and lets fault answer it.
func (s *apiServer) faulted(op string, w http.ResponseWriter, r *http.Request) bool {
	n := s.count(op)
	return s.fault != nil && s.fault(op, n, w, r)
}

// reject records an invalid request and answers an Omise error.
func (s *apiServer) reject(w http.ResponseWriter, status int, code, format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectLocked(w, status, code, format, args...)
}

// rejectLocked is reject for a caller that holds s.mu.
func (s *apiServer) rejectLocked(w http.ResponseWriter, status int, code, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.invalid = append(s.invalid, code+": "+msg)
	writeError(w, status, code, msg)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"object": "error", "location": "https://www.omise.co/api-errors#" + code, "code": code, "message": msg,
	})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// authorized reports whether r carries key as basic auth, and rejects it
// otherwise.
func (s *apiServer) authorized(w http.ResponseWriter, r *http.Request, key string) bool {
	if r.Header.Get("Authorization") != "Basic "+base64.StdEncoding.EncodeToString([]byte(key+":")) {
		s.reject(w, http.StatusUnauthorized, "authentication_failure", "%s %s: authorization %q", r.Method, r.URL.Path, r.Header.Get("Authorization"))
		return false
	}
	return true
}

// decode decodes r's JSON body into v, rejecting unknown fields, and
// rejects r when it cannot.
func (s *apiServer) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		s.reject(w, http.StatusBadRequest, "bad_request", "%s %s: content type %q", r.Method, r.URL.Path, ct)
		return false
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		s.reject(w, http.StatusBadRequest, "bad_request", "%s %s: %v", r.Method, r.URL.Path, err)
		return false
	}
	return true
}

func (s *apiServer) createToken(w http.ResponseWriter, r *http.Request) {
	if s.faulted(opToken, w, r) {
		return
	}
	if err := checkTokenRequest(r); err != nil {
		s.reject(w, http.StatusBadRequest, "invalid_card", "%v", err)
		return
	}
	s.mu.Lock()
	id := fmt.Sprintf("tokn_test_%019d", len(s.tokens)+1)
	s.tokens[id] = false
	s.mu.Unlock()
	writeJSON(w, map[string]any{
		"object": "token", "id": id, "livemode": false, "location": "/tokens/" + id,
		"used": false, "charge_status": "unknown", "card": newCard(""), "created_at": now(),
	})
}

type chargeObject struct {
	Object         string            `json:"object"`
	ID             string            `json:"id"`
	Livemode       bool              `json:"livemode"`
	Location       string            `json:"location"`
	Amount         int64             `json:"amount"`
	Currency       string            `json:"currency"`
	Description    *string           `json:"description"`
	Metadata       map[string]string `json:"metadata"`
	Status         string            `json:"status"`
	Capture        bool              `json:"capture"`
	Authorized     bool              `json:"authorized"`
	Paid           bool              `json:"paid"`
	Capturable     bool              `json:"capturable"`
	CapturedAmount int64             `json:"captured_amount"`
	RefundedAmount int64             `json:"refunded_amount"`
	Refundable     bool              `json:"refundable"`
	Transaction    *string           `json:"transaction"`
	Card           map[string]any    `json:"card"`
	Source         *string           `json:"source"`
	Customer       *string           `json:"customer"`
	FailureCode    *string           `json:"failure_code"`
	FailureMessage *string           `json:"failure_message"`
	CreatedAt      string            `json:"created_at"`
}

// chargeParams are the parameters of POST /charges, as the scenarios send
// them.
type chargeParams struct {
	Amount   *int64  `json:"amount"`
	Currency *string `json:"currency"`
	Card     *string `json:"card"`
	Customer *string `json:"customer"`
	Capture  *bool   `json:"capture"`
}

func (s *apiServer) createCharge(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r, skey) {
		return
	}
	var p chargeParams
	if !s.decode(w, r, &p) {
		return
	}
	op := opChargeCard
	switch {
	case p.Customer != nil:
		op = opChargeCustomer
	case p.Capture != nil && !*p.Capture:
		op = opChargeAuth
	}
	if s.faulted(op, w, r) {
		return
	}
	switch {
	case p.Amount == nil || *p.Amount <= 0:
		s.reject(w, http.StatusBadRequest, "invalid_amount", "amount %v", deref(p.Amount))
		return
	case p.Currency == nil || *p.Currency == "":
		s.reject(w, http.StatusBadRequest, "invalid_charge", "no currency")
		return
	case (p.Card == nil) == (p.Customer == nil):
		s.reject(w, http.StatusBadRequest, "invalid_charge", "card %v, customer %v: want one", deref(p.Card), deref(p.Customer))
		return
	case p.Customer != nil && p.Capture != nil:
		s.reject(w, http.StatusBadRequest, "invalid_charge", "customer charges of the scenarios capture by default")
		return
	case p.Capture != nil && *p.Capture:
		s.reject(w, http.StatusBadRequest, "invalid_charge", "capture=true is the default; the scenarios leave it out")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var card map[string]any
	if p.Card != nil {
		used, ok := s.tokens[*p.Card]
		switch {
		case !ok:
			s.rejectLocked(w, http.StatusNotFound, "not_found", "token %s was not found", *p.Card)
			return
		case used:
			s.rejectLocked(w, http.StatusBadRequest, "used_token", "token %s was already used", *p.Card)
			return
		}
		s.tokens[*p.Card] = true
		card = newCard("")
	} else {
		cust, ok := s.customers[*p.Customer]
		if !ok || cust.Deleted {
			s.rejectLocked(w, http.StatusNotFound, "not_found", "customer %s was not found", *p.Customer)
			return
		}
		card = cust.Cards.Data[0]
	}
	s.created++
	id := fmt.Sprintf("chrg_test_%019d", s.created)
	ch := &chargeObject{
		Object: "charge", ID: id, Location: "/charges/" + id, Amount: *p.Amount, Currency: *p.Currency,
		Metadata: map[string]string{}, Capture: p.Capture == nil, Card: card, Customer: p.Customer, CreatedAt: now(),
	}
	var code string
	if s.decline != nil {
		code = s.decline(s.created)
	}
	switch {
	case code != "":
		msg := strings.ReplaceAll(code, "_", " ")
		ch.Status, ch.FailureCode, ch.FailureMessage = "failed", &code, &msg
	case ch.Capture:
		tx := "trxn_test_" + id[len("chrg_test_"):]
		ch.Status, ch.Authorized, ch.Paid, ch.CapturedAmount, ch.Refundable, ch.Transaction =
			"successful", true, true, ch.Amount, true, &tx
	default:
		ch.Status, ch.Authorized, ch.Capturable = "pending", true, true
	}
	s.charges[id] = ch
	s.amounts = append(s.amounts, fmt.Sprintf("%d %s", ch.Amount, ch.Currency))
	writeJSON(w, ch)
}

// chargeLocked returns the charge of r's path, or rejects r; the caller
// holds s.mu.
func (s *apiServer) chargeLocked(w http.ResponseWriter, r *http.Request) *chargeObject {
	ch := s.charges[r.PathValue("id")]
	if ch == nil {
		s.rejectLocked(w, http.StatusNotFound, "not_found", "charge %s was not found", r.PathValue("id"))
	}
	return ch
}

func (s *apiServer) getCharge(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r, skey) || s.faulted(opGetCharge, w, r) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.ContentLength != 0 {
		s.rejectLocked(w, http.StatusBadRequest, "bad_request", "GET with a body")
	} else if ch := s.chargeLocked(w, r); ch != nil {
		writeJSON(w, ch)
	}
}

func (s *apiServer) capture(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r, skey) {
		return
	}
	var p struct{}
	if !s.decode(w, r, &p) || s.faulted(opCapture, w, r) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chargeLocked(w, r)
	switch {
	case ch == nil:
		return
	case ch.Status != "pending":
		s.rejectLocked(w, http.StatusBadRequest, "failed_capture", "charge %s is %s", ch.ID, ch.Status)
		return
	}
	tx := "trxn_test_" + ch.ID[len("chrg_test_"):]
	ch.Status, ch.Paid, ch.Capturable, ch.CapturedAmount, ch.Refundable, ch.Transaction =
		"successful", true, false, ch.Amount, true, &tx
	writeJSON(w, ch)
}

func (s *apiServer) refund(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r, skey) {
		return
	}
	var p struct {
		Amount *int64 `json:"amount"`
	}
	if !s.decode(w, r, &p) || s.faulted(opRefund, w, r) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chargeLocked(w, r)
	switch {
	case ch == nil:
		return
	case p.Amount == nil || *p.Amount <= 0 || *p.Amount > ch.Amount-ch.RefundedAmount || ch.Status != "successful":
		s.rejectLocked(w, http.StatusBadRequest, "failed_refund", "refund of %v from charge %s (%s, %d of %d refunded)",
			deref(p.Amount), ch.ID, ch.Status, ch.RefundedAmount, ch.Amount)
		return
	}
	ch.RefundedAmount += *p.Amount
	id := fmt.Sprintf("rfnd_test_%019d", len(s.amounts)+1)
	s.amounts = append(s.amounts, fmt.Sprintf("refund %d", *p.Amount))
	writeJSON(w, map[string]any{
		"object": "refund", "id": id, "livemode": false, "location": ch.Location + "/refunds/" + id,
		"amount": *p.Amount, "currency": ch.Currency, "charge": ch.ID, "transaction": "trxn_test_" + id[len("rfnd_test_"):],
		"status": "closed", "voided": false, "metadata": map[string]string{}, "created_at": now(),
	})
}

type customerObject struct {
	Object      string  `json:"object"`
	ID          string  `json:"id"`
	Livemode    bool    `json:"livemode"`
	Location    string  `json:"location"`
	Deleted     bool    `json:"deleted"`
	Email       string  `json:"email"`
	Description string  `json:"description"`
	DefaultCard *string `json:"default_card"`
	Cards       struct {
		Object   string           `json:"object"`
		Location string           `json:"location"`
		Data     []map[string]any `json:"data"`
	} `json:"cards"`
	Metadata  map[string]string `json:"metadata"`
	CreatedAt string            `json:"created_at"`
}

func (s *apiServer) createCustomer(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r, skey) {
		return
	}
	var p struct {
		Email       *string `json:"email"`
		Description *string `json:"description"`
		Card        *string `json:"card"`
	}
	if !s.decode(w, r, &p) || s.faulted(opCustomer, w, r) {
		return
	}
	if p.Email == nil || !strings.Contains(*p.Email, "@") || p.Card == nil {
		s.reject(w, http.StatusBadRequest, "bad_request", "customer without an email or a card: %v %v", deref(p.Email), deref(p.Card))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if used, ok := s.tokens[*p.Card]; !ok || used {
		s.rejectLocked(w, http.StatusBadRequest, "invalid_card_token", "token %s is unknown or used", *p.Card)
		return
	}
	s.tokens[*p.Card] = true
	id := fmt.Sprintf("cust_test_%019d", len(s.customers)+1)
	c := &customerObject{Object: "customer", ID: id, Location: "/customers/" + id, Email: *p.Email,
		Metadata: map[string]string{}, CreatedAt: now()}
	if p.Description != nil {
		c.Description = *p.Description
	}
	card := newCard(id)
	cardID := card["id"].(string)
	c.DefaultCard = &cardID
	c.Cards.Object, c.Cards.Location, c.Cards.Data = "list", c.Location+"/cards", []map[string]any{card}
	s.customers[id] = c
	writeJSON(w, c)
}

func (s *apiServer) deleteCustomer(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r, skey) || s.faulted(opDeleteCustomer, w, r) {
		return
	}
	id := r.PathValue("id")
	s.mu.Lock()
	c := s.customers[id]
	ok := c != nil && !c.Deleted
	if ok {
		c.Deleted = true
	}
	s.mu.Unlock()
	if !ok {
		s.reject(w, http.StatusNotFound, "not_found", "customer %s was not found", id)
		return
	}
	writeJSON(w, map[string]any{"object": "customer", "id": id, "livemode": false, "deleted": true})
}

// newCard returns a card object, attached to the customer if not "".
func newCard(customer string) map[string]any {
	id := fmt.Sprintf("card_test_%019d", cards.Add(1))
	var location any
	if customer != "" {
		location = "/customers/" + customer + "/cards/" + id
	}
	return map[string]any{
		"object": "card", "id": id, "livemode": false, "location": location, "deleted": false,
		"country": "us", "brand": "Visa", "last_digits": "4242", "name": "Somchai Prasert",
		"expiration_month": 12, "expiration_year": 2030, "security_code_check": true, "created_at": now(),
	}
}

// deref returns *p, or nil.
func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

var cards atomic.Int64

func now() string { return time.Now().UTC().Format(time.RFC3339) }

// state returns the request counts by op, the invalid requests and the
// amounts, for a test to look at after a run.
func (s *apiServer) state() (map[string]int64, []string, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	counts := map[string]int64{}
	for op, n := range s.counts {
		counts[op] = n
	}
	return counts, append([]string(nil), s.invalid...), append([]string(nil), s.amounts...)
}

// TestAPIServerRejects checks that the stand-in notices the mistakes the
// scenarios' tests rely on it to notice.
func TestAPIServerRejects(t *testing.T) {
	srv, url := newAPIServer(t, nil)
	post := func(path, key, contentType, body string) int {
		req, _ := http.NewRequest(http.MethodPost, url+path, strings.NewReader(body))
		req.SetBasicAuth(key, "")
		req.Header.Set("Content-Type", contentType)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	const tok = "tokn_test_0000000000000000001"
	card := `{"card":{"name":"A","number":"4242424242424242","security_code":"123","expiration_month":1,"expiration_year":` + strconv.Itoa(time.Now().Year()+2) + `}}`
	if got := post("/tokens", pkey, "application/json", card); got != 200 {
		_, invalid, _ := srv.state()
		t.Fatalf("token: %d %q", got, invalid)
	}
	for _, tt := range []struct{ path, key, contentType, body string }{
		{"/tokens", skey, "application/json", card},
		{"/charges", pkey, "application/json", `{"amount":1000,"currency":"jpy","card":"` + tok + `"}`},
		{"/charges", skey, "application/x-www-form-urlencoded", `amount=1000&currency=jpy&card=` + tok},
		{"/charges", skey, "application/json", `{"amount":1000,"currency":"jpy","card":"` + tok + `","capture":true}`},
		{"/charges", skey, "application/json", `{"amount":1000,"currency":"jpy","card":"` + tok + `","description":""}`},
		{"/charges", skey, "application/json", `{"amount":1000.5,"currency":"jpy","card":"` + tok + `"}`},
		{"/charges", skey, "application/json", `{"amount":1000,"card":"` + tok + `"}`},
		{"/charges", skey, "application/json", `{"amount":1000,"currency":"jpy"}`},
		{"/charges", skey, "application/json", `{"amount":1000,"currency":"jpy","card":"tokn_test_unknown"}`},
		{"/charges/chrg_test_unknown/capture", skey, "application/json", `{}`},
		{"/customers", skey, "application/json", `{"email":"a@b.test","card":"tokn_test_unknown"}`},
	} {
		if got := post(tt.path, tt.key, tt.contentType, tt.body); got == 200 {
			t.Errorf("POST %s %s: 200", tt.path, tt.body)
		}
	}
	if got := post("/charges", skey, "application/json", `{"amount":1000,"currency":"jpy","card":"`+tok+`"}`); got != 200 {
		t.Fatalf("charge: %d", got)
	}
	if got := post("/charges", skey, "application/json", `{"amount":1000,"currency":"jpy","card":"`+tok+`"}`); got != 400 {
		t.Errorf("charge of a used token: %d", got)
	}
	const ch = "/charges/chrg_test_0000000000000000001"
	if got := post(ch+"/capture", skey, "application/json", `{}`); got != 400 {
		t.Errorf("capture of a captured charge: %d", got)
	}
	if got := post(ch+"/refunds", skey, "application/json", `{"amount":600}`); got != 200 {
		t.Errorf("refund of 600: %d", got)
	}
	if got := post(ch+"/refunds", skey, "application/json", `{"amount":401}`); got != 400 {
		t.Errorf("refund of 401 more: %d", got)
	}
	if _, invalid, _ := srv.state(); len(invalid) != 14 {
		t.Errorf("%d invalid requests recorded, want 14: %q", len(invalid), invalid)
	}
}
