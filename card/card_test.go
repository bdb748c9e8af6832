package card_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/kessai/kessai/card"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in    string
		brand card.Brand
		err   string
	}{
		{"4242424242424242", card.Visa, ""},
		{"4242 4242 4242 4242", card.Visa, ""},
		{"4242-4242-4242-4242", card.Visa, ""},
		{"5555555555554444", card.Mastercard, ""},
		{"2223003122003222", card.Mastercard, ""},
		{"3530111333300000", card.JCB, ""},
		{"378282246310005", card.Amex, ""},
		{"36021042000004", card.Diners, ""},
		{"6447032400000000001", card.Discover, ""},
		{"6011111111111117", card.Discover, ""},
		{"6250947000000006", card.UnionPay, ""},
		{"", "", "number is required"},
		{"4242424242424241", "", "number is invalid (check digit)"},
		{"4242x42424242424", "", "number must contain only digits"},
		{"42424242", "", "number has an invalid length"},
		{"3400000000000000", "", "number has an invalid length for American Express"},
		{"9999999999999995", "", "number is of an unsupported brand"},
		{strings.Repeat("4", 100), "", "number is too long"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n, err := card.ParseNumber(tt.in)
			if tt.err != "" {
				var fe *card.FieldError
				if !errors.As(err, &fe) || err.Error() != tt.err {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				if fe.Field != "number" {
					t.Errorf("field = %q", fe.Field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n.Brand() != tt.brand {
				t.Errorf("brand = %q, want %q", n.Brand(), tt.brand)
			}
		})
	}
}

// TestNumberMasks checks that no textual form of a Number shows the digits.
func TestNumberMasks(t *testing.T) {
	n := card.MustParseNumber("4242424242424242")
	code, err := card.ParseSecurityCode("123", card.Visa)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("card", "number", n, "code", code)
	j, _ := json.Marshal(struct {
		N card.Number
		C card.SecurityCode
	}{n, code})
	outs := []string{
		n.String(), n.GoString(), fmt.Sprint(n), fmt.Sprintf("%v %+v %#v %s %q %x %d", n, n, n, n, n, n, n),
		fmt.Sprintf("%v %#v %s %x", code, code, code, code), logs.String(), string(j),
		fmt.Sprintf("%+v", struct{ N card.Number }{n}),
	}
	for _, out := range outs {
		if strings.Contains(out, "4242424242424242") || strings.Contains(out, "424242424242") || strings.Contains(out, "123") {
			t.Errorf("leak: %s", out)
		}
	}
	if n.Reveal() != "4242424242424242" || code.Reveal() != "123" {
		t.Error("Reveal lost the value")
	}
	if n.Last4() != "4242" || n.BIN() != "424242" {
		t.Errorf("last4 %q bin %q", n.Last4(), n.BIN())
	}
}

func TestRawInputParse(t *testing.T) {
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	good := card.RawInput{Name: "Taro Yamada", Number: "4242424242424242", ExpirationMonth: "11", ExpirationYear: "2026", SecurityCode: "123"}
	if in, err := good.Parse(now); err != nil || in.ExpirationYear != 2026 {
		t.Fatalf("good card: %v %+v", err, in)
	}
	two := good
	two.ExpirationYear = "30"
	if in, err := two.Parse(now); err != nil || in.ExpirationYear != 2030 {
		t.Fatalf("two-digit year: %v", err)
	}
	tests := []struct {
		name  string
		edit  func(r *card.RawInput)
		field string
	}{
		{"no name", func(r *card.RawInput) { r.Name = " " }, "name"},
		{"no number", func(r *card.RawInput) { r.Number = "" }, "number"},
		{"bad luhn", func(r *card.RawInput) { r.Number = "4242424242424241" }, "number"},
		{"no month", func(r *card.RawInput) { r.ExpirationMonth = "" }, "expiration_month"},
		{"month 13", func(r *card.RawInput) { r.ExpirationMonth = "13" }, "expiration_month"},
		{"month text", func(r *card.RawInput) { r.ExpirationMonth = "ab" }, "expiration_month"},
		{"no year", func(r *card.RawInput) { r.ExpirationYear = "" }, "expiration_year"},
		{"expired last month", func(r *card.RawInput) { r.ExpirationMonth = "10" }, "expiration_month"},
		{"expired last year", func(r *card.RawInput) { r.ExpirationYear = "2025"; r.ExpirationMonth = "12" }, "expiration_month"},
		{"year far away", func(r *card.RawInput) { r.ExpirationYear = "2099" }, "expiration_year"},
		{"short code", func(r *card.RawInput) { r.SecurityCode = "12" }, "security_code"},
		{"amex needs 4", func(r *card.RawInput) { r.Number = "378282246310005" }, "security_code"},
		{"code letters", func(r *card.RawInput) { r.SecurityCode = "1a3" }, "security_code"},
		{"bad country", func(r *card.RawInput) { r.Country = "japan" }, "country"},
		{"bad utf8", func(r *card.RawInput) { r.City = "\xff" }, "city"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good
			tt.edit(&r)
			_, err := r.Parse(now)
			var fe *card.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a FieldError", err)
			}
			if fe.Field != tt.field {
				t.Errorf("field = %q, want %q (%v)", fe.Field, tt.field, err)
			}
			if strings.Contains(err.Error(), r.Number) && r.Number != "" {
				t.Errorf("error shows the number: %v", err)
			}
		})
	}
}

func TestLookupBIN(t *testing.T) {
	if got := card.LookupBIN(card.MustParseNumber("3530111333300000")); got.Country != "jp" {
		t.Errorf("JCB country = %q", got.Country)
	}
	if got := card.LookupBIN(card.MustParseNumber("4000056655665556")); got.Country != "us" || got.Financing != "credit" {
		t.Errorf("unknown visa = %+v", got)
	}
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"4242424242424242", "4242 4242-4242 4242", "378282246310005", "", "0", "4242424242424241", "６２５０"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := card.ParseNumber(s)
		if err != nil {
			var fe *card.FieldError
			if !errors.As(err, &fe) || fe.Field != "number" {
				t.Fatalf("error of wrong kind: %v", err)
			}
			return
		}
		d := n.Reveal()
		if len(d) < 12 || len(d) > 19 || n.Brand() == card.Unknown {
			t.Fatalf("accepted %q", d)
		}
		if strings.Contains(n.String(), d) {
			t.Fatalf("String shows the number")
		}
		again, err := card.ParseNumber(d)
		if err != nil || again.Reveal() != d {
			t.Fatalf("reparse: %v", err)
		}
	})
}
