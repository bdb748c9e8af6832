package fraud

import (
	"context"
	"testing"
	"time"

	"github.com/kessai/kessai"
)

// TestDistinctCardWindows checks cards_per_ip and cards_per_email over each
// window: cards seen 23 h, 50 min and 5 min before the screening (one of
// them twice) count 1, 2 and 3 distinct cards over 10 min, 1 h and 24 h.
func TestDistinctCardWindows(t *testing.T) {
	ctx := context.Background()
	e, clk := newEngine(t, false)
	a := attrs()
	a.BIN, a.CustomerID = "", ""
	for _, step := range []struct {
		fp    string
		after time.Duration
	}{
		{"fp_old_xxxxxxx", 22*time.Hour + 10*time.Minute},
		{"fp_mid_xxxxxxx", 0},
		{"fp_mid_xxxxxxx", 45 * time.Minute},
		{"fp_new_xxxxxxx", 5 * time.Minute},
	} {
		a.Fingerprint = step.fp
		e.Record(ctx, a, nil, kessai.FraudApproved)
		clk.Add(step.after)
	}
	a.Fingerprint = "fp_now_xxxxxxx"
	want := map[string]int64{"10m": 1, "1h": 2, "24h": 3}
	for _, dim := range []string{"ip", "email"} {
		for w, n := range want {
			name := "cards_per_" + dim + "_" + w
			addRule(t, e, "block if "+name+" == "+itoa(n), true)
			addRule(t, e, "block if "+name+" > "+itoa(n), true)
		}
	}
	d := screen(t, e, a)
	for _, dim := range []string{"ip", "email"} {
		for w, n := range want {
			name := "cards_per_" + dim + "_" + w
			if !firedSource(d, "block if "+name+" == "+itoa(n)) || firedSource(d, "block if "+name+" > "+itoa(n)) {
				t.Errorf("%s is not %d", name, n)
			}
		}
	}
	addRule(t, e, "block if cards_per_ip_24h == 1", true)
	// 23 h 10 min later only the newest card (seen 23 h 15 min before) is
	// within 24 h; the middle one is exactly 24 h old, out.
	clk.Add(23*time.Hour + 10*time.Minute)
	d = screen(t, e, a)
	if !firedSource(d, "block if cards_per_ip_24h == 1") {
		t.Errorf("a day later cards_per_ip_24h is not 1: %v", d.Rules)
	}
}
