package logmask_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/kessai/kessai/logmask"
)

func TestScrub(t *testing.T) {
	tests := []struct{ in, want string }{
		{"card 4242424242424242 declined", "card [card number redacted] declined"},
		{"4242 4242 4242 4242", "[card number redacted]"},
		{"4242-4242-4242-4242.", "[card number redacted]."},
		{"amount 100000 at 1700000000", "amount 100000 at 1700000000"},
		{"id chrg_test_5xyz 1234567890123", "id chrg_test_5xyz 1234567890123"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := logmask.Scrub(tt.in); got != tt.want {
			t.Errorf("Scrub(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(logmask.New(slog.NewJSONHandler(&buf, nil)))
	log = log.With("pan", "5555555555554444")
	log.Info("got 4111111111111111", "err", errors.New("bad card 378282246310005"), slog.Group("g", "n", "3530111333300000"))
	out := buf.String()
	for _, n := range []string{"5555555555554444", "4111111111111111", "378282246310005", "3530111333300000"} {
		if strings.Contains(out, n) {
			t.Errorf("log shows %s: %s", n, out)
		}
	}
	if strings.Count(out, "[card number redacted]") != 4 {
		t.Errorf("log = %s", out)
	}
}

func FuzzScrub(f *testing.F) {
	f.Add("4242 4242 4242 4242")
	f.Add("x1-2 3")
	f.Fuzz(func(t *testing.T, s string) {
		out := logmask.Scrub(s)
		if logmask.Scrub(out) != out {
			t.Fatalf("not idempotent: %q → %q", s, out)
		}
	})
}
