package fraud

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
)

var _ Store = (*sqlstore.DB)(nil)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

var testAuth = &kessai.Auth{AccountID: "acct_test_a", Kind: kessai.SecretKey}

// newEngine returns an engine on a fresh SQLite store with a test clock and
// an IP table; with defaults false the built-in rules are disabled.
func newEngine(t *testing.T, defaults bool) (*Engine, *clock) {
	t.Helper()
	db := dbtest.Open(t, dbtest.SQLiteDSN(t))
	return newEngineOn(t, db, defaults)
}

func newEngineOn(t *testing.T, db *sqlstore.DB, defaults bool) (*Engine, *clock) {
	t.Helper()
	clk := &clock{t: t0}
	tab := &IPTable{}
	for cidr, c := range map[string]string{"198.51.100.0/24": "TH", "203.0.113.0/24": "US", "192.0.2.0/24": "NG", "2001:db8::/32": "JP"} {
		if err := tab.Add(cidr, c); err != nil {
			t.Fatal(err)
		}
	}
	db.Now = clk.Now
	e := New(Config{Store: db, Now: clk.Now, IPTable: tab, Sleep: func(context.Context, time.Duration) error { return nil }})
	if !defaults {
		off := false
		for _, d := range DefaultRules {
			if _, err := e.Service().UpdateRule(context.Background(), testAuth, d.ID, &kessai.FraudRuleInput{Enabled: &off}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return e, clk
}

func addRule(t *testing.T, e *Engine, rule string, shadow bool) *kessai.FraudRule {
	t.Helper()
	r, err := e.Service().CreateRule(context.Background(), testAuth, &kessai.FraudRuleInput{Rule: &rule, Shadow: &shadow})
	if err != nil {
		t.Fatalf("create %q: %v", rule, err)
	}
	return r
}

func attrs() *kessai.FraudAttributes {
	return &kessai.FraudAttributes{AccountID: testAuth.AccountID, Amount: 5000, Currency: "usd", Brand: "Visa",
		BIN: "424242", CardCountry: "us", Funding: "credit", Fingerprint: "fp_aaaaaaaaaaaa", Email: "shopper@example.com",
		IP: "203.0.113.7"}
}

func screen(t *testing.T, e *Engine, a *kessai.FraudAttributes) *kessai.FraudDecision {
	t.Helper()
	d, err := e.Screen(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func firedIDs(d *kessai.FraudDecision) []string {
	var ids []string
	for _, r := range d.Rules {
		ids = append(ids, r.ID)
	}
	return ids
}

func TestOrder(t *testing.T) {
	e, _ := newEngine(t, false)
	r3ds := addRule(t, e, "request_3ds if amount_major > 10", false)
	review := addRule(t, e, "review if amount_major > 50", false)
	block := addRule(t, e, "block if amount_major > 100", false)
	allow := addRule(t, e, "allow if email == 'vip@example.com'", false)
	shadowBlock := addRule(t, e, "block if amount_major > 20", true)

	tests := []struct {
		name    string
		amount  int64
		email   string
		action  kessai.FraudAction
		want3ds bool
		fired   []string
	}{
		{"nothing", 500, "a@example.com", kessai.FraudAllow, false, nil},
		{"3ds only", 1500, "a@example.com", kessai.FraudAllow, true, []string{r3ds.ID}},
		{"shadow does not decide", 3000, "a@example.com", kessai.FraudAllow, true, []string{r3ds.ID, shadowBlock.ID}},
		{"review", 6000, "a@example.com", kessai.FraudReview, true, []string{r3ds.ID, shadowBlock.ID, review.ID}},
		{"block beats review", 20000, "a@example.com", kessai.FraudBlock, true, []string{r3ds.ID, block.ID, shadowBlock.ID}},
		{"allow beats block", 20000, "vip@example.com", kessai.FraudAllow, true, []string{r3ds.ID, allow.ID, shadowBlock.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := attrs()
			a.Amount, a.Email = tt.amount, tt.email
			d := screen(t, e, a)
			if d.Action != tt.action || d.Request3DS != tt.want3ds {
				t.Errorf("action %s 3ds %v, want %s %v", d.Action, d.Request3DS, tt.action, tt.want3ds)
			}
			if got := firedIDs(d); !slices.Equal(got, tt.fired) {
				t.Errorf("fired %v, want %v", got, tt.fired)
			}
		})
	}
}

func TestRuleCounters(t *testing.T) {
	e, _ := newEngine(t, false)
	ctx := context.Background()
	block := addRule(t, e, "block if amount_major > 100", false)
	review := addRule(t, e, "review if amount_major > 50", true)
	a := attrs()
	a.Amount = 20000
	for range 3 {
		d := screen(t, e, a)
		if err := e.Record(ctx, a, d, kessai.FraudBlocked); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	a.Amount = 6000
	d := screen(t, e, a)
	e.Record(ctx, a, d, kessai.FraudApproved)
	rules, err := e.Service().ListRules(ctx, testAuth)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][3]int64{}
	for _, r := range rules {
		got[r.ID] = [3]int64{r.Fired, r.Blocked, r.Reviewed}
	}
	if got[block.ID] != [3]int64{3, 3, 0} {
		t.Errorf("block rule counters %v", got[block.ID])
	}
	if got[review.ID] != [3]int64{4, 0, 4} {
		t.Errorf("shadow review rule counters %v", got[review.ID])
	}
}

func TestDefaultRulesShipEnabled(t *testing.T) {
	e, _ := newEngine(t, true)
	rules, err := e.Service().ListRules(context.Background(), testAuth)
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != len(DefaultRules) {
		t.Fatalf("%d rules", len(rules))
	}
	for _, r := range rules {
		if !r.Default || !r.Enabled || r.Shadow {
			t.Errorf("%s: default %v enabled %v shadow %v", r.ID, r.Default, r.Enabled, r.Shadow)
		}
		if _, err := Compile(r.Rule); err != nil {
			t.Errorf("%s: %v", r.ID, err)
		}
	}
	// A clean charge passes the defaults.
	if d := screen(t, e, attrs()); d.Action != kessai.FraudAllow || d.Request3DS {
		t.Errorf("clean charge: %+v", d)
	}
}

func TestVelocityAttributes(t *testing.T) {
	ctx := context.Background()
	// Each dimension, then each window.
	dims := map[string]func(a *kessai.FraudAttributes){
		"card":  func(a *kessai.FraudAttributes) { a.IP, a.Email, a.BIN = "", "", "" },
		"ip":    func(a *kessai.FraudAttributes) { a.Fingerprint, a.Email, a.BIN = "", "", "" },
		"email": func(a *kessai.FraudAttributes) { a.Fingerprint, a.IP, a.BIN = "", "", "" },
		"customer": func(a *kessai.FraudAttributes) {
			a.Fingerprint, a.IP, a.Email, a.BIN, a.CustomerID = "", "", "", "", "cust_test_1"
		},
		"bin": func(a *kessai.FraudAttributes) { a.Fingerprint, a.IP, a.Email = "", "", "" },
	}
	for dim, strip := range dims {
		e, clk := newEngine(t, false)
		a := attrs()
		strip(a)
		// Events at -23h, -50m, -5m (declined) relative to the screening.
		e.Record(ctx, a, nil, kessai.FraudApproved)
		clk.Add(22*time.Hour + 10*time.Minute)
		e.Record(ctx, a, nil, kessai.FraudApproved)
		clk.Add(45 * time.Minute)
		e.Record(ctx, a, nil, kessai.FraudDeclined)
		clk.Add(5 * time.Minute)
		want := map[string]int64{
			"attempts_per_" + dim + "_10m": 1, "attempts_per_" + dim + "_1h": 2, "attempts_per_" + dim + "_24h": 3,
			"declines_per_" + dim + "_10m": 1, "declines_per_" + dim + "_1h": 1, "declines_per_" + dim + "_24h": 1,
			"amount_per_" + dim + "_10m": 50, "amount_per_" + dim + "_1h": 100, "amount_per_" + dim + "_24h": 150,
		}
		for name, n := range want {
			for _, c := range []struct {
				op   string
				fire bool
			}{{" == ", true}, {" > ", false}} {
				rule := "block if " + name + c.op + itoa(n)
				addRule(t, e, rule, true)
			}
		}
		d := screen(t, e, a)
		for name, n := range want {
			eq := "block if " + name + " == " + itoa(n)
			gt := "block if " + name + " > " + itoa(n)
			if !firedSource(d, eq) {
				t.Errorf("%s: %s did not fire", dim, eq)
			}
			if firedSource(d, gt) {
				t.Errorf("%s: %s fired", dim, gt)
			}
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func firedSource(d *kessai.FraudDecision, src string) bool {
	for _, r := range d.Rules {
		if r.Rule == src {
			return true
		}
	}
	return false
}

func TestDistinctCards(t *testing.T) {
	ctx := context.Background()
	e, clk := newEngine(t, false)
	addRule(t, e, "block if cards_per_ip_10m >= 3 and cards_per_email_1h >= 3", false)
	a := attrs()
	for i, fp := range []string{"fp_1xxxxxxxxxx", "fp_2xxxxxxxxxx", "fp_1xxxxxxxxxx", "fp_3xxxxxxxxxx"} {
		a.Fingerprint = fp
		d := screen(t, e, a)
		// Distinct cards before this attempt: 0, 1, 2, 2.
		if d.Action != kessai.FraudAllow {
			t.Fatalf("attempt %d blocked", i)
		}
		e.Record(ctx, a, d, kessai.FraudDeclined)
		clk.Add(time.Minute)
	}
	if d := screen(t, e, a); d.Action != kessai.FraudBlock {
		t.Errorf("three distinct cards from one IP and email: %s", d.Action)
	}
	clk.Add(10 * time.Minute)
	if d := screen(t, e, a); d.Action != kessai.FraudAllow {
		t.Errorf("after the 10 minute window: %s", d.Action)
	}
}

func TestLists(t *testing.T) {
	ctx := context.Background()
	e, _ := newEngine(t, false)
	svc := e.Service()
	add := func(list, typ, value string) *kessai.FraudListItem {
		it, err := svc.AddListItem(ctx, testAuth, &kessai.FraudListItem{List: list, Type: typ, Value: value})
		if err != nil {
			t.Fatalf("add %s %s %s: %v", list, typ, value, err)
		}
		return it
	}
	fp := add("block", kessai.FraudItemFingerprint, "fp_blockedcard")
	add("block", kessai.FraudItemEmail, "Fraud@Example.com")
	add("block", kessai.FraudItemIP, "192.0.2.0/28")
	add("block", kessai.FraudItemBIN, "411111")
	add("block", kessai.FraudItemCardCountry, "ng")
	add("block", kessai.FraudItemIPCountry, "jp")
	vip := add("allow", kessai.FraudItemEmail, "vip@example.com")
	add("allow", kessai.FraudItemIP, "203.0.113.200")

	tests := []struct {
		name   string
		mod    func(a *kessai.FraudAttributes)
		action kessai.FraudAction
	}{
		{"clean", func(a *kessai.FraudAttributes) {}, kessai.FraudAllow},
		{"fingerprint", func(a *kessai.FraudAttributes) { a.Fingerprint = "fp_blockedcard" }, kessai.FraudBlock},
		{"email any case", func(a *kessai.FraudAttributes) { a.Email = "FRAUD@example.COM" }, kessai.FraudBlock},
		{"ip in range", func(a *kessai.FraudAttributes) { a.IP = "192.0.2.9" }, kessai.FraudBlock},
		{"ip outside range", func(a *kessai.FraudAttributes) { a.IP = "192.0.2.99" }, kessai.FraudAllow},
		{"bin", func(a *kessai.FraudAttributes) { a.BIN = "411111" }, kessai.FraudBlock},
		{"card country", func(a *kessai.FraudAttributes) { a.CardCountry = "NG" }, kessai.FraudBlock},
		{"ip country", func(a *kessai.FraudAttributes) { a.IP = "2001:db8::1" }, kessai.FraudBlock},
		{"allow email beats block", func(a *kessai.FraudAttributes) { a.Email = "vip@example.com"; a.BIN = "411111" }, kessai.FraudAllow},
		{"allow ip beats block", func(a *kessai.FraudAttributes) { a.IP = "203.0.113.200"; a.Fingerprint = "fp_blockedcard" }, kessai.FraudAllow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := attrs()
			tt.mod(a)
			if d := screen(t, e, a); d.Action != tt.action {
				t.Errorf("action %s, want %s (%v)", d.Action, tt.action, firedIDs(d))
			}
		})
	}
	// Disabling an entry takes effect at once.
	if _, err := svc.SetListItemEnabled(ctx, testAuth, fp.ID, false); err != nil {
		t.Fatal(err)
	}
	a := attrs()
	a.Fingerprint = "fp_blockedcard"
	if d := screen(t, e, a); d.Action != kessai.FraudAllow {
		t.Errorf("disabled entry still blocks")
	}
	if err := svc.DeleteListItem(ctx, testAuth, vip.ID); err != nil {
		t.Fatal(err)
	}
	a = attrs()
	a.Email, a.BIN = "vip@example.com", "411111"
	if d := screen(t, e, a); d.Action != kessai.FraudBlock {
		t.Errorf("deleted allow entry still allows")
	}
	// Duplicates and bad values.
	if _, err := svc.AddListItem(ctx, testAuth, &kessai.FraudListItem{List: "block", Type: kessai.FraudItemEmail, Value: "fraud@example.com"}); kessai.ErrorCode(err) != kessai.EConflict {
		t.Errorf("duplicate: %v", err)
	}
	for _, bad := range []kessai.FraudListItem{
		{List: "grey", Type: "email", Value: "a@b.c"},
		{List: "block", Type: "phone", Value: "1"},
		{List: "block", Type: "email", Value: "nobody"},
		{List: "block", Type: "ip_address", Value: "300.1.1.1"},
		{List: "block", Type: "card_bin", Value: "42424"},
		{List: "block", Type: "card_country", Value: "USA"},
		{List: "block", Type: "card_fingerprint", Value: ""},
	} {
		if _, err := svc.AddListItem(ctx, testAuth, &bad); kessai.ErrorCode(err) != kessai.EBadRequest {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

func TestScoreReasons(t *testing.T) {
	ctx := context.Background()
	e, clk := newEngine(t, false)
	a := attrs()
	d := screen(t, e, a)
	if d.RiskScore != 0 || len(d.Reasons) != 0 || d.RiskLevel != RiskNormal {
		t.Errorf("clean charge: score %d reasons %v", d.RiskScore, d.Reasons)
	}
	// Geography: IP in Thailand, card from the US, billing in Japan.
	a.IP, a.BillingCountry = "198.51.100.1", "jp"
	d = screen(t, e, a)
	if d.RiskScore != 25 || len(d.Reasons) != 2 || d.Reasons[0].Code != "ip_country_mismatch" || d.Reasons[1].Code != "billing_country_mismatch" {
		t.Errorf("geo mismatch: score %d reasons %+v", d.RiskScore, d.Reasons)
	}
	// Card testing from one IP: many cards, many declines.
	a = attrs()
	a.Amount = 100
	for i := range 8 {
		a.Fingerprint = "fp_test_card_" + itoa(int64(i))
		e.Record(ctx, a, nil, kessai.FraudDeclined)
		clk.Add(10 * time.Second)
	}
	a.Fingerprint = "fp_test_card_next"
	d = screen(t, e, a)
	if d.RiskScore < 75 || d.RiskLevel != RiskHighest {
		t.Errorf("card testing: score %d level %s", d.RiskScore, d.RiskLevel)
	}
	if len(d.Reasons) == 0 || d.Reasons[0].Code != "ip_card_testing" {
		t.Errorf("card testing reasons: %+v", d.Reasons)
	}
	if len(d.Reasons) > MaxReasons {
		t.Errorf("%d reasons", len(d.Reasons))
	}
	// Usable in rules.
	addRule(t, e, "block if risk_score > 75 and risk_level == 'highest'", false)
	if d := screen(t, e, a); d.Action != kessai.FraudBlock {
		t.Errorf("risk_score rule: %s", d.Action)
	}
}

func TestAttributes(t *testing.T) {
	tab := &IPTable{}
	tab.Add("198.51.100.0/24", "th")
	tab.Add("198.51.100.128/25", "sg")
	created := t0.Add(-72 * time.Hour)
	yes := true
	var e Env
	e.fill(&kessai.FraudAttributes{Amount: 123456, Currency: "JPY", Brand: "JCB", BIN: "353011", CardCountry: "jp",
		Funding: "Prepaid", Fingerprint: "fp", CustomerID: "cust_1", Email: "A@Shop.Example", IP: "198.51.100.200",
		BillingCountry: "jp", ShippingCountry: "th", CardNewToMerchant: &yes, CustomerCreatedAt: created}, tab, usdRates, t0)
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"amount", e.Amount, int64(123456)},
		{"amount_major", e.AmountMajor, 123456.0},
		{"amount_usd", int(e.AmountUSD), 827},
		{"currency", e.Currency, "jpy"},
		{"card_brand", e.CardBrand, "JCB"},
		{"card_bin", e.CardBIN, "353011"},
		{"card_country", e.CardCountry, "JP"},
		{"card_funding", e.CardFunding, "prepaid"},
		{"email", e.Email, "a@shop.example"},
		{"email_domain", e.EmailDomain, "shop.example"},
		{"ip_country (longest range)", e.IPCountry, "SG"},
		{"billing_country", e.BillingCountry, "JP"},
		{"shipping_country", e.ShippingCountry, "TH"},
		{"is_new_card", e.IsNewCard, true},
		{"customer_age_days", e.CustomerAgeDays, 3.0},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	e.fill(&kessai.FraudAttributes{Amount: 1050, Currency: "usd"}, tab, usdRates, t0)
	if e.AmountMajor != 10.5 || e.AmountUSD != 10.5 {
		t.Errorf("usd: %v %v", e.AmountMajor, e.AmountUSD)
	}
	for name, bit := range attrBits {
		if name == "amount" || name == "amount_major" || name == "amount_usd" || name == "currency" {
			continue
		}
		if e.has(1 << bit) {
			t.Errorf("%s present", name)
		}
	}
	e.fill(&kessai.FraudAttributes{Amount: 100, Currency: "xxx"}, tab, usdRates, t0)
	if e.has(1 << bitAmountUSD) {
		t.Error("amount_usd present for an unknown currency")
	}
}

func TestAllowToken(t *testing.T) {
	ctx := context.Background()
	var slept []time.Duration
	clk := &clock{t: t0}
	e := New(Config{Now: clk.Now, Sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }})
	a := attrs()
	pk := &kessai.Auth{AccountID: a.AccountID, Kind: kessai.PublicKey}
	for i := range 12 {
		err := e.AllowToken(ctx, a.IP, pk)
		switch {
		case i < 5 && (err != nil || len(slept) != 0):
			t.Fatalf("after %d declines: %v, slept %v", i, err, slept)
		case i >= 5 && i < 10 && err != nil:
			t.Fatalf("after %d declines: %v", i, err)
		case i >= 10 && kessai.ErrorCode(err) != kessai.ERateLimited:
			t.Fatalf("after %d declines: %v", i, err)
		}
		a.Fingerprint = "fp_" + itoa(int64(i)) + "xxxxxxxx"
		e.Record(ctx, a, nil, kessai.FraudDeclined)
	}
	if want := []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 600 * time.Millisecond, 800 * time.Millisecond, time.Second}; !slices.Equal(slept, want) {
		t.Errorf("slept %v, want %v", slept, want)
	}
	// Another IP of the same account is not slowed down yet.
	if err := e.AllowToken(ctx, "198.51.100.1", pk); err != nil {
		t.Errorf("other IP: %v", err)
	}
	// An hour later the IP is free again.
	clk.Add(time.Hour)
	if err := e.AllowToken(ctx, a.IP, pk); err != nil {
		t.Errorf("an hour later: %v", err)
	}
	// Approvals do not count.
	for range 20 {
		e.Record(ctx, a, nil, kessai.FraudApproved)
	}
	if err := e.AllowToken(ctx, a.IP, pk); err != nil {
		t.Errorf("after approvals: %v", err)
	}
}

func TestRuleManagement(t *testing.T) {
	ctx := context.Background()
	e, _ := newEngine(t, true)
	svc := e.Service()
	bad := "block if amount >"
	if _, err := svc.CreateRule(ctx, testAuth, &kessai.FraudRuleInput{Rule: &bad}); kessai.ErrorCode(err) != kessai.EBadRequest {
		t.Errorf("bad rule: %v", err)
	}
	src := "block if amount_usd > 5000"
	r, err := svc.CreateRule(ctx, testAuth, &kessai.FraudRuleInput{Rule: &src})
	if err != nil {
		t.Fatal(err)
	}
	a := attrs()
	a.Amount = 600000
	if d := screen(t, e, a); d.Action != kessai.FraudBlock {
		t.Fatalf("new rule not applied: %s", d.Action)
	}
	yes := true
	if _, err := svc.UpdateRule(ctx, testAuth, r.ID, &kessai.FraudRuleInput{Shadow: &yes}); err != nil {
		t.Fatal(err)
	}
	d := screen(t, e, a)
	if d.Action == kessai.FraudBlock || !d.Rules[len(d.Rules)-1].Shadow {
		t.Errorf("shadow rule: %+v", d)
	}
	newSrc := "review if amount_usd > 5000"
	if _, err := svc.UpdateRule(ctx, testAuth, r.ID, &kessai.FraudRuleInput{Rule: &newSrc}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateRule(ctx, testAuth, DefaultRules[0].ID, &kessai.FraudRuleInput{Rule: &newSrc}); kessai.ErrorCode(err) != kessai.EBadRequest {
		t.Errorf("rewrite built-in: %v", err)
	}
	if err := svc.DeleteRule(ctx, testAuth, DefaultRules[0].ID); kessai.ErrorCode(err) != kessai.EBadRequest {
		t.Errorf("delete built-in: %v", err)
	}
	if err := svc.DeleteRule(ctx, testAuth, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.FindRule(ctx, testAuth, r.ID); kessai.ErrorCode(err) != kessai.ENotFound {
		t.Errorf("deleted rule: %v", err)
	}
	if _, err := svc.UpdateRule(ctx, testAuth, "frul_test_nope", &kessai.FraudRuleInput{Shadow: &yes}); kessai.ErrorCode(err) != kessai.ENotFound {
		t.Errorf("unknown rule: %v", err)
	}
	// Other accounts do not see the rule.
	other := &kessai.Auth{AccountID: "acct_test_b", Kind: kessai.SecretKey}
	rules, _ := svc.ListRules(ctx, other)
	if len(rules) != len(DefaultRules) {
		t.Errorf("other account has %d rules", len(rules))
	}
}

func TestStoreBothDialects(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		e, _ := newEngineOn(t, db, false)
		addRule(t, e, "block if amount_major > 100", false)
		a := attrs()
		a.Amount, a.ChargeID = 50000, "chrg_test_1"
		d := screen(t, e, a)
		if err := db.Write(ctx, func(tx *sqlstore.Tx) error { return tx.InsertFraudDecision(a.AccountID, a.Livemode, d) }); err != nil {
			t.Fatal(err)
		}
		got, err := e.Service().FindDecision(ctx, testAuth, "chrg_test_1")
		if err != nil {
			t.Fatal(err)
		}
		if got.Action != kessai.FraudBlock || len(got.Rules) != 1 || got.Rules[0].Rule != "block if amount_major > 100" {
			t.Errorf("stored decision %+v", got)
		}
		if _, err := e.Service().FindDecision(ctx, testAuth, "chrg_test_2"); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("missing decision: %v", err)
		}
		e.Record(ctx, a, d, kessai.FraudBlocked)
		if err := e.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		e.Record(ctx, a, d, kessai.FraudBlocked)
		if err := e.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		st, err := db.FraudRuleStats(ctx, a.AccountID, false)
		if err != nil || len(st) != 1 || st[0].Fired != 2 || st[0].Blocked != 2 {
			t.Errorf("stats %+v %v", st, err)
		}
		it, err := e.Service().AddListItem(ctx, testAuth, &kessai.FraudListItem{List: "allow", Type: kessai.FraudItemIP, Value: "2001:db8::/48"})
		if err != nil {
			t.Fatal(err)
		}
		l, err := e.Service().ListItems(ctx, testAuth, "allow", kessai.ListParams{})
		if err != nil || l.Total != 1 || l.Data[0].ID != it.ID || l.Data[0].Value != "2001:db8::/48" {
			t.Errorf("list %+v %v", l, err)
		}
		if l, _ := e.Service().ListItems(ctx, testAuth, "block", kessai.ListParams{}); l.Total != 0 {
			t.Errorf("block list has %d", l.Total)
		}
	})
}

// slowCounters never answers before its context ends.
type slowCounters struct{ Counters }

func (slowCounters) Load(ctx context.Context, keys []string, now time.Time, out []Stats) error {
	<-ctx.Done()
	return ctx.Err()
}

func TestSlowCountersDoNotHoldPayments(t *testing.T) {
	e := New(Config{Counters: slowCounters{NewMemory(0)}, CountersTimeout: 20 * time.Millisecond})
	start := time.Now()
	d, err := e.Screen(context.Background(), attrs())
	if err != nil || d.Action != kessai.FraudAllow {
		t.Fatalf("%+v %v", d, err)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("screen took %v", el)
	}
}

func TestConcurrentScreening(t *testing.T) {
	e, _ := newEngine(t, true)
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				a := attrs()
				a.Fingerprint = "fp_" + strconv.Itoa(g*1000+i)
				d, err := e.Screen(ctx, a)
				if err != nil {
					t.Error(err)
					return
				}
				e.Record(ctx, a, d, kessai.FraudDeclined)
				if i%50 == 0 {
					e.Invalidate(testAuth.AccountID, false)
					e.Flush(ctx)
				}
			}
		}()
	}
	wg.Wait()
	if err := e.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}
