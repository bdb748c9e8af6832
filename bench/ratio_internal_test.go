package bench

import "testing"

// TestCeilingRatioCountsRequests checks that a scenario of two requests per
// iteration is compared with the ceiling in requests.
func TestCeilingRatioCountsRequests(t *testing.T) {
	r := &Result{OKThroughput: 1000, RequestsPerIteration: 2, Ceiling: &Result{OKThroughput: 10000}}
	if got := r.CeilingRatio(); got != 0.2 {
		t.Errorf("ratio = %v, want 0.2", got)
	}
	if got := requestsPer(Charges(ChargeOptions{})); got != 2 {
		t.Errorf("charges sends %d requests per iteration, want 2", got)
	}
	if got := requestsPer(Tokens(false)); got != 1 {
		t.Errorf("tokens sends %d, want 1", got)
	}
}
