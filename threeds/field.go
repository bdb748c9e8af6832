package threeds

import (
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// field is one element to check: its JSON name, its value, whether it is
// required in this message, and the format it must have when present.
type field struct {
	name     string
	value    string
	required bool
	ok       func(string) bool
}

// checkFields returns the first failure among fs, in order: 201 for a
// required element that is empty, 203 for a present one of the wrong
// format.
func checkFields(fs ...field) error {
	for _, f := range fs {
		if f.value == "" {
			if f.required {
				return missing(f.name)
			}
			continue
		}
		if f.ok != nil && !f.ok(f.value) {
			return invalid(f.name)
		}
	}
	return nil
}

// opt, req and when build a field that is optional, required, or required
// when cond holds.
func opt(name, value string, ok func(string) bool) field {
	return field{name: name, value: value, ok: ok}
}

func req(name, value string, ok func(string) bool) field {
	return field{name: name, value: value, required: true, ok: ok}
}

func when(cond bool, name, value string, ok func(string) bool) field {
	return field{name: name, value: value, required: cond, ok: ok}
}

// digits accepts a string of min to max ASCII digits.
func digits(min, max int) func(string) bool {
	return func(s string) bool {
		if len(s) < min || len(s) > max {
			return false
		}
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		}
		return true
	}
}

// length accepts a string of min to max characters (runes).
func length(min, max int) func(string) bool {
	return func(s string) bool {
		n := utf8.RuneCountInString(s)
		return utf8.ValidString(s) && n >= min && n <= max
	}
}

// oneOf accepts one of the given values.
func oneOf(vs ...string) func(string) bool {
	return func(s string) bool { return slices.Contains(vs, s) }
}

// timeFmt accepts a time in the given Go layout (all of 3DS is UTC).
func timeFmt(layout string) func(string) bool {
	return func(s string) bool {
		_, err := time.Parse(layout, s)
		return err == nil && len(s) == len(layout)
	}
}

// webURL accepts an absolute http or https URL of at most max characters.
// Whether plain http is allowed is the receiver's policy, not the format's.
func webURL(max int) func(string) bool {
	return func(s string) bool {
		if len(s) > max {
			return false
		}
		u, err := url.Parse(s)
		return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
	}
}

// isoNumeric accepts a three-digit ISO numeric code (currency or country).
var isoNumeric = digits(3, 3)

// transIDs is the format of every transaction ID.
func transIDs(s string) bool { return isUUID(s) }

// yn accepts Y or N.
var yn = oneOf("Y", "N")

// validCurrency reports whether a numeric currency code may be used in a
// purchase: 955–964 and 999 are reserved (Erro 304).
func validCurrency(s string) bool {
	if !isoNumeric(s) {
		return false
	}
	return !(s >= "955" && s <= "964" || s == "999" || s == "000")
}

// hasControl reports whether s has a control character.
func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}
