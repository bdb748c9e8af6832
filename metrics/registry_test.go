package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kessai/kessai/metrics"
)

func scrape(t *testing.T, r *metrics.Registry) string {
	t.Helper()
	w := httptest.NewRecorder()
	r.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(w.Result().Body)
	return string(b)
}

// TestLabelsAreBounded checks that client-chosen methods and malformed
// MTIs are folded into "other", and that a network request is in flight
// between its start and its end.
func TestLabelsAreBounded(t *testing.T) {
	r := metrics.New()
	r.ObserveRequest("X-SQL'; DROP TABLE", "unmatched", 405, time.Millisecond)
	done := r.ObserveNetworkRequest("0200")
	bad := r.ObserveNetworkRequest("<script>")
	out := scrape(t, r)
	for _, want := range []string{
		`kessai_http_request_duration_seconds_count{method="other",route="unmatched",status="405"} 1`,
		`kessai_issuer_requests_in_flight{mti="0200"} 1`,
		`kessai_issuer_requests_in_flight{mti="other"} 1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s", want)
		}
	}
	if strings.Contains(out, "DROP") || strings.Contains(out, "<script>") {
		t.Error("a client-chosen value became a label")
	}
	done("answered")
	bad("lost")
	out = scrape(t, r)
	for _, want := range []string{
		`kessai_issuer_requests_in_flight{mti="0200"} 0`,
		`kessai_issuer_round_trip_seconds_count{mti="0200",result="answered"} 1`,
		`kessai_issuer_round_trip_seconds_count{mti="other",result="lost"} 1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s", want)
		}
	}
}

// TestGaugeCollector checks the scrape-time gauges, and that a failing
// source yields kessai_state_up 0 instead of a failed scrape.
func TestGaugeCollector(t *testing.T) {
	r := metrics.New()
	fail := false
	src := func(ctx context.Context) (metrics.Gauges, error) {
		if fail {
			return metrics.Gauges{}, errors.New("database is locked")
		}
		return metrics.Gauges{ReversalsQueued: 3, OldestReversal: 90 * time.Second, WebhooksPending: 7,
			NetworkPending: map[string]int64{"0100": 2}}, nil
	}
	if err := r.Register(metrics.NewGaugeCollector(src, func() bool { return true })); err != nil {
		t.Fatal(err)
	}
	out := scrape(t, r)
	for _, want := range []string{"kessai_reversal_queue_depth 3", "kessai_reversal_queue_oldest_age_seconds 90",
		"kessai_webhook_backlog 7", `kessai_issuer_requests_pending{mti="0100"} 2`, "kessai_issuer_link_up 1", "kessai_state_up 1"} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("missing %s", want)
		}
	}
	fail = true
	out = scrape(t, r)
	if !strings.Contains(out, "kessai_state_up 0\n") || strings.Contains(out, "kessai_reversal_queue_depth") {
		t.Errorf("failing source:\n%s", out)
	}
}
