package iso8583msg_test

import (
	"testing"

	"github.com/kessai/kessai/iso8583msg"
)

func TestMTIFunctions(t *testing.T) {
	for _, tc := range []struct {
		mti        string
		response   string
		repeat     bool
		unrepeated string
		isResponse bool
	}{
		{"0100", "0110", false, "0100", false},
		{"0101", "0110", true, "0100", false},
		{"0110", "", false, "0110", true},
		{"0200", "0210", false, "0200", false},
		{"0220", "0230", false, "0220", false},
		{"0221", "0230", true, "0220", false},
		{"0401", "0410", true, "0400", false},
		{"0410", "", false, "0410", true},
		{"0800", "0810", false, "0800", false},
		{"08x0", "", false, "08x0", false},
		{"", "", false, "", false},
	} {
		t.Run(tc.mti, func(t *testing.T) {
			if got := iso8583msg.ResponseMTI(tc.mti); got != tc.response {
				t.Errorf("ResponseMTI = %q, want %q", got, tc.response)
			}
			if got := iso8583msg.IsRepeat(tc.mti); got != tc.repeat {
				t.Errorf("IsRepeat = %v, want %v", got, tc.repeat)
			}
			if got := iso8583msg.Unrepeated(tc.mti); got != tc.unrepeated {
				t.Errorf("Unrepeated = %q, want %q", got, tc.unrepeated)
			}
			if got := iso8583msg.IsResponse(tc.mti); got != tc.isResponse {
				t.Errorf("IsResponse = %v, want %v", got, tc.isResponse)
			}
		})
	}
}
