package fraud

import (
	"strings"
	"testing"

	"github.com/expr-lang/expr/vm"

	"github.com/kessai/kessai"
)

func TestCompile(t *testing.T) {
	tests := []struct {
		rule   string
		action kessai.FraudAction
	}{
		{"block if amount > 100", kessai.FraudBlock},
		{"Block if :card_country: != :ip_country:", kessai.FraudBlock},
		{"review if card_funding == 'prepaid' and amount_usd > 1000", kessai.FraudReview},
		{"request_3ds if risk_score > 50", kessai.FraudRequest3DS},
		{"allow if email in ['vip@example.com', 'ceo@example.com']", kessai.FraudAllow},
		{"block if cards_per_ip_1h >= 5 and declines_per_ip_10m > 2", kessai.FraudBlock},
		{"block if lower(email_domain) == 'mailinator.com'", kessai.FraudBlock},
		{"block if card_bin startsWith '4242'", kessai.FraudBlock},
		{"block if ':x:' == card_bin", kessai.FraudBlock},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			c, err := Compile(tt.rule)
			if err != nil {
				t.Fatal(err)
			}
			if c.Action != tt.action {
				t.Errorf("action = %s, want %s", c.Action, tt.action)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		rule string
		want string // in the message
	}{
		{"", "must start with an action"},
		{"deny if amount > 1", "must start with an action"},
		{"block amount > 1", `"block if CONDITION"`},
		{"block if", `"block if CONDITION"`},
		{"block if amount >", "line 1, column"},
		{"block if amount > 'x'", "line 1, column 17"},
		{"block if no_such_attribute > 1", "line 1, column 10"},
		{"block if amount", "line 1, column"},
		{"block if amount > 1 &&\n  card_country == 3", "line 2, column"},
		{"block if " + strings.Repeat("amount + ", 300) + "1 > 0", "too long"},
		{"block if len(card_bin) > 0 && now() > 0", "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			_, err := Compile(tt.rule)
			if err == nil {
				t.Fatal("compiled")
			}
			if kessai.ErrorCode(err) != kessai.EBadRequest {
				t.Errorf("code = %s", kessai.ErrorCode(err))
			}
			if msg := kessai.ErrorMessage(err); !strings.Contains(msg, tt.want) {
				t.Errorf("message %q does not contain %q", msg, tt.want)
			}
		})
	}
}

func TestMissingAttributeNeverFires(t *testing.T) {
	var m vm.VM
	for _, rule := range []string{
		"block if ip_country != 'US'",
		"block if card_country != ip_country",
		"block if not (email == 'a@b.c')",
		"block if customer_age_days < 1",
		"block if attempts_per_email_1h >= 0",
		"block if amount_usd > 0 or ip_country != 'TH'",
	} {
		c, err := Compile(rule)
		if err != nil {
			t.Fatal(err)
		}
		var e Env
		e.fill(&kessai.FraudAttributes{Amount: 100, Currency: "usd", CardCountry: "us"}, nil, usdRates, epoch)
		if c.Match(&m, &e) {
			t.Errorf("%q fired with a missing attribute", rule)
		}
	}
	c, _ := Compile("block if ip_country != 'US'")
	var e Env
	tab := &IPTable{}
	tab.Add("10.0.0.0/8", "th")
	e.fill(&kessai.FraudAttributes{IP: "10.1.2.3"}, tab, usdRates, epoch)
	if !c.Match(&m, &e) {
		t.Error("rule did not fire with the attribute present")
	}
}

// FuzzCompile: any input compiles or fails with a 400 error object, never
// a panic, and a compiled rule evaluates without one.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{"block if amount > 1", "review if :card_country: != :ip_country:", "allow if email in ['a']",
		"request_3ds if risk_score > 50 and not (ip_country == 'TH')", "block if ':a:' == \"b\"", "block if (", ":"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rule string) {
		c, err := Compile(rule)
		if err != nil {
			if kessai.ErrorCode(err) != kessai.EBadRequest {
				t.Fatalf("%q: %v", rule, err)
			}
			return
		}
		var m vm.VM
		var e Env
		e.fill(&kessai.FraudAttributes{Amount: 100, Currency: "usd", Email: "a@b.c", IP: "10.0.0.1"}, nil, usdRates, epoch)
		e.present = ^uint64(0)
		c.Match(&m, &e)
	})
}
