package chaos

import (
	"errors"
	"strings"
	"testing"
)

// TestBook checks what the book counts as acknowledged, and the rules it
// enforces on answers by itself.
func TestBook(t *testing.T) {
	b := newBook()
	desc := func(s string) *string { return &s }
	ok := &answer{Status: 200, Obj: object{Object: "charge", ID: "chrg_1", Status: "successful", Amount: 1000, Description: desc("k1")}}
	b.answered("POST /charges", "charge", ok)
	b.charge("k1", 1000, &ok.Obj, true)
	b.answered("POST /charges", "charge", &answer{Status: 503, Obj: object{Object: "error", Code: "service_unavailable"}})
	b.answered("POST /charges", "charge", &answer{Err: errors.New("connection refused")})
	if c, v := b.snapshot(); c.Requests != 3 || c.Acknowledged != 1 || c.ErrorObjects != 1 || c.Unanswered != 1 || c.ChargesAcked != 1 || len(v) != 0 {
		t.Fatalf("counts %+v, violations %v", c, v)
	}

	// A 500 that is not an error object, a charge answered to two
	// requests, a charge that is not the one asked for, and (strict) no
	// answer: four violations.
	b.answered("POST /charges", "charge", &answer{Status: 500, Raw: "Internal Server Error"})
	b.charge("k2", 1000, &ok.Obj, true)
	other := object{Object: "charge", ID: "chrg_2", Status: "successful", Amount: 999, Description: desc("k3")}
	b.charge("k4", 1000, &other, true)
	b.setStrict(true)
	b.answered("GET /charges/chrg_1", "charge", &answer{Err: errors.New("timeout")})
	_, v := b.snapshot()
	if len(v) != 4 {
		t.Fatalf("violations %d, want 4:\n%s", len(v), strings.Join(v, "\n"))
	}

	// An unanswered capture lets the charge be captured, or not.
	b.sending("chrg_1", state{"successful", 500})
	rs := b.records()
	var r *record
	for _, x := range rs {
		if x.id == "chrg_1" {
			r = x
		}
	}
	if r == nil || r.acked != (state{"successful", 0}) || len(r.maybe) != 1 {
		t.Fatalf("record %+v", r)
	}
	b.settled("chrg_1", state{"successful", 500})
	if id, s := b.pick(0); id != "chrg_2" && id != "chrg_1" || s.Status != "successful" {
		t.Errorf("pick: %s %v", id, s)
	}
}
