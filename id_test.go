package kessai_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/kessai/kessai"
)

func TestNewID(t *testing.T) {
	test := regexp.MustCompile(`^chrg_test_[0-9a-z]{19}$`)
	live := regexp.MustCompile(`^chrg_[0-9a-z]{19}$`)
	seen := map[string]bool{}
	prev := ""
	for i := 0; i < 1000; i++ {
		id := kessai.NewID(kessai.PrefixCharge, false)
		if !test.MatchString(id) {
			t.Fatalf("test id %q", id)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
		// The time part never goes backwards.
		if id[:19] < prev {
			t.Fatalf("%q sorts before %q", id, prev)
		}
		prev = id[:19]
		if kessai.IDLivemode(id) {
			t.Fatal("test id reads as live")
		}
	}
	if id := kessai.NewID(kessai.PrefixCharge, true); !live.MatchString(id) || !kessai.IDLivemode(id) {
		t.Fatalf("live id %q", id)
	}
	a := kessai.NewID("tokn", false)
	time.Sleep(2 * time.Millisecond)
	if b := kessai.NewID("tokn", false); b <= a {
		t.Errorf("later id %q does not sort after %q", b, a)
	}
}

func TestRandomString(t *testing.T) {
	s := kessai.RandomString(4000)
	if len(s) != 4000 || !regexp.MustCompile(`^[0-9a-z]+$`).MatchString(s) {
		t.Fatalf("RandomString = %q…", s[:20])
	}
	// Every character of the alphabet shows up in 4000 draws.
	for _, c := range "0123456789abcdefghijklmnopqrstuvwxyz" {
		if !regexp.MustCompile(string(c)).MatchString(s) {
			t.Errorf("%c never drawn", c)
		}
	}
}
