package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kessai/kessai"
)

// Platform is a running Kessai that [RunAPI] sends the traffic to.
type Platform struct {
	// BaseURL, PublicKey and SecretKey reach the API.
	BaseURL, PublicKey, SecretKey string
	// Client sends the requests (http.DefaultClient when nil).
	Client *http.Client
	// SetNow moves the platform's fraud clock to the time of the next
	// charge, so that a day of traffic replays in minutes with its
	// velocity windows intact. Required.
	SetNow func(time.Time)
	// SetCard makes the card company approve (true) or decline the next
	// authorizations of a card number. Required.
	SetCard func(ctx context.Context, number string, approve bool) error
}

// apiRun is the state of one RunAPI.
type apiRun struct {
	p       Platform
	c       *http.Client
	pans    map[string]string // fingerprint id → card number
	serial  int
	cards   map[string]string // fingerprint id → the customer's card id
	custs   map[string]string // the generator's customer id → the API's
	approve map[string]bool   // card number → the issuer's current answer
}

// RunAPI generates cfg's traffic and sends it, in time order, through the
// platform's HTTP API: legitimate shoppers and account takeovers are
// customers (created, with their first card, before the traffic starts)
// charging saved cards; card testing, BIN enumeration and geography
// mismatch are guests charging a new token each time. Every charge gives
// its shopper's address as ip, geography-mismatch charges their countries
// as metadata. The platform's fraud clock is moved to each charge's time;
// the card company is told beforehand whether to approve. A blocked charge
// (failed_fraud_check) or a refused token (429) counts as stopped; a held
// capture as a review, a decision with request_3ds as a challenge.
func RunAPI(ctx context.Context, cfg Config, p Platform) (*Report, error) {
	cfg = cfg.withDefaults()
	r := &apiRun{p: p, c: p.Client, pans: map[string]string{}, cards: map[string]string{}, custs: map[string]string{}, approve: map[string]bool{}}
	if r.c == nil {
		r.c = http.DefaultClient
	}
	rep := &Report{Seed: cfg.Seed, By: map[string]*Stats{}, LegitBlockedBy: map[string]int{}, API: true}
	for _, l := range Scenarios {
		rep.By[l] = &Stats{}
	}
	txns := Generate(cfg)
	p.SetNow(cfg.Start.Add(-time.Minute))
	if err := r.setup(ctx, txns); err != nil {
		return nil, fmt.Errorf("sim: set up customers: %w", err)
	}
	lat := make([]time.Duration, 0, len(txns))
	for i := range txns {
		t := &txns[i]
		p.SetNow(t.At)
		st := rep.By[t.Label]
		st.Charges++
		start := time.Now()
		ch, refused, err := r.charge(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("sim: charge %d (%s): %w", i, t.Label, err)
		}
		lat = append(lat, time.Since(start))
		if refused {
			st.Refused++
			continue
		}
		if ch.FailureCode != nil && *ch.FailureCode == kessai.EFailedFraudCheck {
			st.Blocked++
			if t.Label == Legit {
				d, err := r.decision(ctx, ch.ID)
				if err != nil {
					return nil, err
				}
				for _, fr := range d.Rules {
					if fr.Action == kessai.FraudBlock && !fr.Shadow {
						rep.LegitBlockedBy[fr.ID]++
						break
					}
				}
			}
			continue
		}
		d, err := r.decision(ctx, ch.ID)
		if err != nil {
			return nil, err
		}
		if d.Action == kessai.FraudReview {
			st.Reviewed++
		}
		if d.Request3DS {
			st.Challenged++
		}
	}
	rep.Decisions = len(lat)
	slices.Sort(lat)
	if len(lat) > 0 {
		rep.Latency.P50, rep.Latency.P99 = lat[len(lat)/2], lat[len(lat)*99/100]
	}
	return rep, nil
}

// guest reports whether a scenario's charges are made by guests with a
// new token each time.
func guest(label string) bool {
	return label == CardTesting || label == BINEnum || label == GeoMismatch
}

// setup creates the customers of the legitimate shoppers, each with its
// first card.
func (r *apiRun) setup(ctx context.Context, txns []Txn) error {
	for i := range txns {
		t := &txns[i]
		if guest(t.Label) || t.Label != Legit || r.custs[t.Attrs.CustomerID] != "" {
			continue
		}
		tok, refused, err := r.token(ctx, t)
		if err != nil || refused {
			return fmt.Errorf("token of %s: refused %v: %w", t.Attrs.CustomerID, refused, err)
		}
		var c struct {
			ID    string `json:"id"`
			Cards struct {
				Data []struct {
					ID string `json:"id"`
				} `json:"data"`
			} `json:"cards"`
		}
		if err := r.post(ctx, "/customers", r.p.SecretKey, url.Values{"email": {t.Attrs.Email}, "card": {tok}}, &c); err != nil {
			return err
		}
		if len(c.Cards.Data) != 1 {
			return fmt.Errorf("customer %s has %d cards", c.ID, len(c.Cards.Data))
		}
		r.custs[t.Attrs.CustomerID], r.cards[t.Attrs.Fingerprint] = c.ID, c.Cards.Data[0].ID
	}
	// Account takeovers of shoppers who buy nothing themselves that day:
	// the customer exists, without a card.
	for i := range txns {
		t := &txns[i]
		if t.Label != ATO || r.custs[t.Attrs.CustomerID] != "" {
			continue
		}
		var c struct {
			ID string `json:"id"`
		}
		if err := r.post(ctx, "/customers", r.p.SecretKey, url.Values{"email": {t.Attrs.Email}}, &c); err != nil {
			return err
		}
		r.custs[t.Attrs.CustomerID] = c.ID
	}
	return nil
}

// pan returns the card number standing for a generated fingerprint: the
// fingerprint's BIN, a serial, and the Luhn check digit (15 digits for
// American Express, 16 otherwise).
func (r *apiRun) pan(fp, bin string) string {
	if n, ok := r.pans[fp]; ok {
		return n
	}
	r.serial++
	length := 16
	if strings.HasPrefix(bin, "34") || strings.HasPrefix(bin, "37") {
		length = 15
	}
	body := bin + fmt.Sprintf("%0*d", length-1-len(bin), r.serial)
	n := body + strconv.Itoa(luhnDigit(body))
	r.pans[fp] = n
	return n
}

// luhnDigit returns the check digit that makes body+digit pass Luhn.
func luhnDigit(body string) int {
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return (10 - sum%10) % 10
}

// token creates a token of t's card; refused reports a 429.
func (r *apiRun) token(ctx context.Context, t *Txn) (id string, refused bool, err error) {
	n := r.pan(t.Attrs.Fingerprint, t.Attrs.BIN)
	code := "123"
	if len(n) == 15 {
		code = "1234"
	}
	form := url.Values{"card[name]": {"Sim Shopper"}, "card[number]": {n}, "card[expiration_month]": {"12"},
		"card[expiration_year]": {strconv.Itoa(time.Now().Year() + 3)}, "card[security_code]": {code}}
	var tok struct {
		ID string `json:"id"`
	}
	status, err := r.send(ctx, http.MethodPost, "/tokens", r.p.PublicKey, form, &tok)
	if status == http.StatusTooManyRequests {
		return "", true, nil
	}
	return tok.ID, false, err
}

// setCard tells the card company how to answer the card's next
// authorization, when that changes.
func (r *apiRun) setCard(ctx context.Context, n string, approve bool) error {
	if cur, ok := r.approve[n]; ok && cur == approve || !ok && approve {
		return nil
	}
	r.approve[n] = approve
	return r.p.SetCard(ctx, n, approve)
}

// charge sends t's charge: a new token for guests, the customer's saved
// card otherwise (adding it to the customer first when it is new).
func (r *apiRun) charge(ctx context.Context, t *Txn) (*kessai.Charge, bool, error) {
	a := &t.Attrs
	form := url.Values{"amount": {strconv.FormatInt(a.Amount, 10)}, "currency": {a.Currency}, "ip": {a.IP}}
	if guest(t.Label) {
		if err := r.setCard(ctx, r.pan(a.Fingerprint, a.BIN), t.Approves); err != nil {
			return nil, false, err
		}
		tok, refused, err := r.token(ctx, t)
		if err != nil || refused {
			return nil, refused, err
		}
		form.Set("card", tok)
		if a.BillingCountry != "" {
			form.Set("metadata[billing_country]", a.BillingCountry)
		}
		if a.ShippingCountry != "" {
			form.Set("metadata[shipping_country]", a.ShippingCountry)
		}
	} else {
		cust := r.custs[a.CustomerID]
		if cust == "" {
			return nil, false, fmt.Errorf("customer %s was not created", a.CustomerID)
		}
		card := r.cards[a.Fingerprint]
		if card == "" {
			// A card new to the customer (a second card, or the one an
			// account takeover adds).
			tok, refused, err := r.token(ctx, t)
			if err != nil || refused {
				return nil, refused, err
			}
			var c struct {
				Cards struct {
					Data []struct {
						ID string `json:"id"`
					} `json:"data"`
				} `json:"cards"`
			}
			if _, err := r.send(ctx, http.MethodPatch, "/customers/"+cust, r.p.SecretKey, url.Values{"card": {tok}}, &c); err != nil {
				return nil, false, fmt.Errorf("add card: %w", err)
			}
			if len(c.Cards.Data) == 0 {
				return nil, false, fmt.Errorf("customer %s has no cards", cust)
			}
			card = c.Cards.Data[len(c.Cards.Data)-1].ID
			r.cards[a.Fingerprint] = card
		}
		// The card company's answer is set once the card is saved (its
		// verification must pass).
		if err := r.setCard(ctx, r.pan(a.Fingerprint, a.BIN), t.Approves); err != nil {
			return nil, false, err
		}
		form.Set("customer", cust)
		form.Set("card", card)
		if a.ShippingCountry != "" && a.ShippingCountry != a.BillingCountry {
			form.Set("metadata[shipping_country]", a.ShippingCountry)
		}
	}
	var ch kessai.Charge
	if err := r.post(ctx, "/charges", r.p.SecretKey, form, &ch); err != nil {
		return nil, false, err
	}
	return &ch, false, nil
}

// decision returns a charge's stored fraud decision.
func (r *apiRun) decision(ctx context.Context, id string) (*kessai.FraudDecision, error) {
	var d kessai.FraudDecision
	if _, err := r.send(ctx, http.MethodGet, "/charges/"+id+"/fraud", r.p.SecretKey, nil, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

func (r *apiRun) post(ctx context.Context, path, key string, form url.Values, into any) error {
	_, err := r.send(ctx, http.MethodPost, path, key, form, into)
	return err
}

// send makes a request and decodes a 200 answer into into; any other
// status is an error carrying the body.
func (r *apiRun) send(ctx context.Context, method, path, key string, form url.Values, into any) (int, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, r.p.BaseURL+path, body)
	if err != nil {
		return 0, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.SetBasicAuth(key, "")
	res, err := r.c.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return res.StatusCode, err
	}
	if res.StatusCode != http.StatusOK {
		return res.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	return res.StatusCode, json.Unmarshal(raw, into)
}

// SetRules prepares the platform's rules through the API before a run:
// with disableDefaults the built-in rules (those the API lists as default)
// are disabled, then each rule of rules is created.
func SetRules(ctx context.Context, p Platform, rules []string, disableDefaults bool) error {
	r := &apiRun{p: p, c: p.Client}
	if r.c == nil {
		r.c = http.DefaultClient
	}
	if disableDefaults {
		var l struct {
			Data []kessai.FraudRule `json:"data"`
		}
		if _, err := r.send(ctx, http.MethodGet, "/fraud/rules", p.SecretKey, nil, &l); err != nil {
			return err
		}
		for _, fr := range l.Data {
			if !fr.Default {
				continue
			}
			var out kessai.FraudRule
			if _, err := r.send(ctx, http.MethodPatch, "/fraud/rules/"+fr.ID, p.SecretKey, url.Values{"enabled": {"false"}}, &out); err != nil {
				return err
			}
		}
	}
	for _, rule := range rules {
		var out kessai.FraudRule
		if _, err := r.send(ctx, http.MethodPost, "/fraud/rules", p.SecretKey, url.Values{"rule": {rule}}, &out); err != nil {
			return err
		}
	}
	return nil
}
