// Package sim is a seeded synthetic traffic generator with ground truth for
// the fraud engine: legitimate shoppers (with hard negatives: travellers, a
// shared corporate IP, retries after a decline) and labelled attacks (card
// testing, BIN enumeration, account-takeover bursts, geography-mismatch
// fraud). [Run] sends the traffic, in time order, through a
// [kessai.FraudScreener], simulates the issuer's answer, records the
// outcome, and reports precision, recall and false-positive rate per
// scenario.
package sim

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/kessai/kessai"
)

// Scenario labels.
const (
	Legit       = "legitimate"
	CardTesting = "card_testing"
	BINEnum     = "bin_enumeration"
	ATO         = "account_takeover"
	GeoMismatch = "geo_mismatch"
)

// Scenarios lists the labels in report order.
var Scenarios = []string{Legit, CardTesting, BINEnum, ATO, GeoMismatch}

// Config sizes a simulation. Zero fields take the defaults shown.
type Config struct {
	Seed      uint64        // 1
	Start     time.Time     // 2026-11-01 00:00 UTC
	Span      time.Duration // 24 h of traffic
	Customers int           // 3,000 shoppers
	Charges   int           // 20,000 legitimate charges
	// Attacks per kind: card testing and BIN enumeration runs, account
	// takeovers, geography-mismatch frauds.
	CardTesting, BINEnum, ATO, Geo int    // 6, 6, 20, 60
	Account                        string // "acct_sim"
}

func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Start.IsZero() {
		c.Start = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	}
	if c.Span <= 0 {
		c.Span = 24 * time.Hour
	}
	def(&c.Customers, 3000)
	def(&c.Charges, 20000)
	def(&c.CardTesting, 6)
	def(&c.BINEnum, 6)
	def(&c.ATO, 20)
	def(&c.Geo, 60)
	if c.Account == "" {
		c.Account = "acct_sim"
	}
	return c
}

// Txn is one generated charge with its label and the issuer's answer if it
// reaches the issuer.
type Txn struct {
	At       time.Time
	Label    string
	Attrs    kessai.FraudAttributes
	Approves bool
}

// Countries and their IP ranges in [IPTable] (documentation ranges and
// private ranges, so that no real address appears).
var countryNets = map[string]string{
	"TH": "10.1", "JP": "10.2", "US": "10.3", "SG": "10.4", "GB": "10.5", "NG": "10.6", "RU": "10.7", "BR": "10.8",
}

// IPTable returns the range table the simulation's addresses come from:
// 10.<n>.0.0/16 per country.
func IPTable() string {
	var b strings.Builder
	for c, n := range countryNets {
		fmt.Fprintf(&b, "%s.0.0/16 %s\n", n, c)
	}
	return b.String()
}

type gen struct {
	r   *rand.Rand
	c   Config
	seq int
}

func (g *gen) id(prefix string) string {
	g.seq++
	return fmt.Sprintf("%s_%06d", prefix, g.seq)
}

func (g *gen) ip(country string) string {
	return fmt.Sprintf("%s.%d.%d", countryNets[country], g.r.IntN(256), 1+g.r.IntN(254))
}

func (g *gen) at(from time.Time, span time.Duration) time.Time {
	return from.Add(time.Duration(g.r.Int64N(int64(span))))
}

// usd returns a minor-unit USD amount around median dollars (log-normal).
func (g *gen) usd(median float64) int64 {
	return max(100, int64(median*math.Exp(g.r.NormFloat64()*0.8)*100))
}

var legitBINs = []string{"424242", "400000", "411111", "555555", "545454", "353011", "356611", "378282", "450875", "520082"}

type shopper struct {
	id, email, ip, country string
	cards                  []string
	bins                   []string
	created                time.Time
	seen                   map[string]bool
}

// Generate returns the traffic of cfg in time order.
func Generate(cfg Config) []Txn {
	c := cfg.withDefaults()
	g := &gen{r: rand.New(rand.NewPCG(c.Seed, c.Seed^0x9e3779b97f4a7c15)), c: c}
	homes := []string{"TH", "TH", "TH", "JP", "JP", "US", "SG", "GB"}
	corpIP := g.ip("TH")
	shoppers := make([]*shopper, c.Customers)
	for i := range shoppers {
		home := homes[g.r.IntN(len(homes))]
		s := &shopper{id: g.id("cust_sim"), country: home, ip: g.ip(home), seen: map[string]bool{},
			created: c.Start.Add(-time.Duration(1+g.r.IntN(900)) * 24 * time.Hour)}
		s.email = s.id + "@example.com"
		if i%100 == 0 {
			s.ip = corpIP // one office behind NAT: 30 shoppers, one IP
		}
		for range 1 + g.r.IntN(2) {
			s.cards = append(s.cards, g.id("fp_legit"))
			s.bins = append(s.bins, legitBINs[g.r.IntN(len(legitBINs))])
		}
		shoppers[i] = s
	}
	var out []Txn
	base := func(s *shopper, card int) kessai.FraudAttributes {
		newCard := !s.seen[s.cards[card]]
		s.seen[s.cards[card]] = true
		return kessai.FraudAttributes{AccountID: c.Account, Currency: "usd", Brand: "Visa", BIN: s.bins[card],
			CardCountry: strings.ToLower(s.country), Funding: "credit", Fingerprint: s.cards[card], CustomerID: s.id,
			Email: s.email, IP: s.ip, BillingCountry: s.country, ShippingCountry: s.country,
			CardNewToMerchant: &newCard, CustomerCreatedAt: s.created}
	}
	for range c.Charges {
		s := shoppers[g.r.IntN(len(shoppers))]
		card := g.r.IntN(len(s.cards))
		t := Txn{At: g.at(c.Start, c.Span), Label: Legit, Attrs: base(s, card), Approves: g.r.Float64() > 0.05}
		t.Attrs.Amount = g.usd(45)
		if g.r.Float64() < 0.03 { // a traveller
			away := []string{"JP", "US", "GB", "SG"}[g.r.IntN(4)]
			t.Attrs.IP = g.ip(away)
		}
		out = append(out, t)
		if !t.Approves && g.r.Float64() < 0.5 { // a retry after a decline
			r := t
			r.At = t.At.Add(time.Duration(30+g.r.IntN(300)) * time.Second)
			r.Approves = g.r.Float64() > 0.3
			out = append(out, r)
		}
	}
	for range c.CardTesting {
		country := []string{"RU", "BR", "NG", "US"}[g.r.IntN(4)]
		ip := g.ip(country)
		start := g.at(c.Start, c.Span-2*time.Hour)
		n := 30 + g.r.IntN(170)
		for i := range n {
			bin := legitBINs[g.r.IntN(len(legitBINs))]
			t := Txn{At: start.Add(time.Duration(i*(5+g.r.IntN(40))) * time.Second), Label: CardTesting, Approves: g.r.Float64() < 0.15,
				Attrs: kessai.FraudAttributes{AccountID: c.Account, Amount: int64(100 + g.r.IntN(400)), Currency: "usd", Brand: "Visa",
					BIN: bin, CardCountry: "us", Funding: "credit", Fingerprint: g.id("fp_ct"), IP: ip}}
			if g.r.Float64() < 0.5 {
				t.Attrs.Email = g.id("tester") + "@mailinator.com"
			}
			out = append(out, t)
		}
	}
	for range c.BINEnum {
		bin := fmt.Sprintf("5%d%04d", 1+g.r.IntN(5), g.r.IntN(10000)) // a MasterCard BIN
		start := g.at(c.Start, c.Span-2*time.Hour)
		n := 50 + g.r.IntN(250)
		ips := make([]string, 100)
		for i := range ips {
			ips[i] = g.ip([]string{"RU", "BR", "NG", "US", "GB", "SG"}[g.r.IntN(6)])
		}
		for i := range n {
			t := Txn{At: start.Add(time.Duration(i*(2+g.r.IntN(10))) * time.Second), Label: BINEnum, Approves: g.r.Float64() < 0.05,
				Attrs: kessai.FraudAttributes{AccountID: c.Account, Amount: int64(100 + g.r.IntN(200)), Currency: "usd", Brand: "MasterCard",
					BIN: bin, CardCountry: "us", Funding: "debit", Fingerprint: g.id("fp_be"), IP: ips[g.r.IntN(len(ips))]}}
			out = append(out, t)
		}
	}
	for range c.ATO {
		s := shoppers[g.r.IntN(len(shoppers))]
		if s.created.After(c.Start.Add(-60 * 24 * time.Hour)) {
			s.created = c.Start.Add(-200 * 24 * time.Hour)
		}
		card := g.id("fp_ato")
		s.cards, s.bins = append(s.cards, card), append(s.bins, legitBINs[g.r.IntN(len(legitBINs))])
		country := []string{"RU", "BR", "NG"}[g.r.IntN(3)]
		ip := g.ip(country)
		start := g.at(c.Start, c.Span-time.Hour)
		for i := range 2 + g.r.IntN(4) {
			t := Txn{At: start.Add(time.Duration(i*(60+g.r.IntN(600))) * time.Second), Label: ATO, Approves: g.r.Float64() < 0.9,
				Attrs: base(s, len(s.cards)-1)}
			t.Attrs.IP, t.Attrs.ShippingCountry, t.Attrs.Amount, t.Attrs.CardCountry = ip, country, g.usd(900), "us"
			out = append(out, t)
		}
	}
	for range c.Geo {
		newCard := true
		t := Txn{At: g.at(c.Start, c.Span), Label: GeoMismatch, Approves: g.r.Float64() < 0.8,
			Attrs: kessai.FraudAttributes{AccountID: c.Account, Amount: g.usd(350), Currency: "usd", Brand: "Visa",
				BIN: legitBINs[g.r.IntN(len(legitBINs))], CardCountry: "us", Funding: "credit", Fingerprint: g.id("fp_geo"),
				CustomerID: g.id("cust_geo"), Email: g.id("geo") + "@example.net", IP: g.ip("NG"), BillingCountry: "US",
				ShippingCountry: "NG", CardNewToMerchant: &newCard}}
		t.Attrs.CustomerCreatedAt = t.At.Add(-time.Duration(g.r.IntN(3600)) * time.Second)
		out = append(out, t)
	}
	slices.SortStableFunc(out, func(a, b Txn) int { return a.At.Compare(b.At) })
	for i := range out {
		out[i].Attrs.ChargeID = fmt.Sprintf("chrg_sim_%06d", i)
	}
	return out
}

// Stats are the outcomes of one scenario.
type Stats struct {
	Charges, Blocked, Reviewed, Challenged int
	// Refused counts attempts stopped before the charge: token creation
	// refused (429) by the card-testing guard. Only the API run has them.
	Refused int
}

// Report is a simulation's outcome per scenario.
type Report struct {
	Seed      uint64
	By        map[string]*Stats
	Decisions int
	// LegitBlockedBy counts the legitimate charges blocked, by the rule
	// (or list entry) that blocked them.
	LegitBlockedBy map[string]int
	// Latency is that of Screen in process, of the whole charge request
	// through the API.
	Latency struct{ P50, P99 time.Duration }
	// API is set when the traffic went through the HTTP API.
	API bool
}

// Recall is the share of a scenario's attempts that were stopped: blocked,
// or refused a token.
func (r *Report) Recall(label string) float64 {
	s := r.By[label]
	if s == nil || s.Charges == 0 {
		return 0
	}
	return float64(s.Blocked+s.Refused) / float64(s.Charges)
}

// FPR is the share of legitimate charges that were blocked.
func (r *Report) FPR() float64 { return r.Recall(Legit) }

// Precision is the share of stopped attempts that were fraud.
func (r *Report) Precision() float64 {
	all, legit := 0, r.By[Legit].Blocked+r.By[Legit].Refused
	for _, s := range r.By {
		all += s.Blocked + s.Refused
	}
	if all == 0 {
		return 0
	}
	return float64(all-legit) / float64(all)
}

// String renders the report as a Markdown table.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "| scenario | attempts | blocked | token refused | review | 3-D Secure | stopped share |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, l := range Scenarios {
		s := r.By[l]
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %.1f %% |\n", l, s.Charges, s.Blocked, s.Refused, s.Reviewed, s.Challenged, 100*r.Recall(l))
	}
	what := "decision latency"
	if r.API {
		what = "charge request latency"
	}
	fmt.Fprintf(&b, "\nprecision %.1f %%, false-positive rate %.2f %%, %s p50 %v p99 %v (%d decisions, seed %d)\n",
		100*r.Precision(), 100*r.FPR(), what, r.Latency.P50, r.Latency.P99, r.Decisions, r.Seed)
	if len(r.LegitBlockedBy) > 0 {
		ids := make([]string, 0, len(r.LegitBlockedBy))
		for id := range r.LegitBlockedBy {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		b.WriteString("legitimate charges blocked by:")
		for _, id := range ids {
			fmt.Fprintf(&b, " %s %d;", id, r.LegitBlockedBy[id])
		}
		b.WriteString("\n")
	}
	return b.String()
}

// Run generates cfg's traffic and screens it: the clock (which the
// screener must read through setNow's target) is moved to each charge's
// time, the decision taken, the issuer's answer simulated for charges that
// are not blocked, and the outcome recorded.
func Run(ctx context.Context, cfg Config, s kessai.FraudScreener, setNow func(time.Time)) (*Report, error) {
	cfg = cfg.withDefaults()
	rep := &Report{Seed: cfg.Seed, By: map[string]*Stats{}, LegitBlockedBy: map[string]int{}}
	for _, l := range Scenarios {
		rep.By[l] = &Stats{}
	}
	txns := Generate(cfg)
	lat := make([]time.Duration, 0, len(txns))
	for i := range txns {
		t := &txns[i]
		setNow(t.At)
		start := time.Now()
		d, err := s.Screen(ctx, &t.Attrs)
		if err != nil {
			return nil, err
		}
		lat = append(lat, time.Since(start))
		st := rep.By[t.Label]
		st.Charges++
		outcome := kessai.FraudApproved
		switch {
		case d.Action == kessai.FraudBlock:
			st.Blocked++
			outcome = kessai.FraudBlocked
			if t.Label == Legit {
				for _, r := range d.Rules {
					if r.Action == kessai.FraudBlock && !r.Shadow {
						rep.LegitBlockedBy[r.ID]++
						break
					}
				}
			}
		case !t.Approves:
			outcome = kessai.FraudDeclined
		}
		if d.Action == kessai.FraudReview {
			st.Reviewed++
		}
		if d.Request3DS && d.Action != kessai.FraudBlock {
			st.Challenged++
		}
		if err := s.Record(ctx, &t.Attrs, d, outcome); err != nil {
			return nil, err
		}
	}
	rep.Decisions = len(lat)
	slices.Sort(lat)
	if len(lat) > 0 {
		rep.Latency.P50, rep.Latency.P99 = lat[len(lat)/2], lat[len(lat)*99/100]
	}
	return rep, nil
}
