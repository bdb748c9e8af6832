package app_test

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kessai/kessai/internal/dbtest"
)

// chargeCard creates a token for number and a 1,000 yen charge on it, and
// returns the charge.
func (p *platform) chargeCard(number string) response {
	p.t.Helper()
	tok := p.do("POST", "/tokens", p.creds.PublicKey, cardForm(number, "12", "2031", "123"))
	if tok.Status != 200 {
		p.t.Fatalf("token: %d %s", tok.Status, tok.Body)
	}
	res := p.do("POST", "/charges", p.creds.SecretKey, url.Values{
		"amount": {"1000"}, "currency": {"jpy"}, "card": {tok.Object["id"].(string)},
	})
	if res.Status != 200 || res.Object["object"] != "charge" {
		p.t.Fatalf("charge: %d %s", res.Status, res.Body)
	}
	return res
}

// scrape reads GET /metrics from base and returns the exposition.
func scrape(t *testing.T, base string, header ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// metricValue returns the value of the sample whose line starts with
// series (name and labels exactly as exposed), and false when absent.
func metricValue(exposition, series string) (float64, bool) {
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`)
	m := re.FindStringSubmatch(exposition)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	return v, err == nil
}

// TestMetricsAndReadiness runs charges through the platform and reads
// /metrics and /readyz over real TCP: requests by route and status, charge
// outcomes by failure code, the issuer link, the reversal queue and the
// database commits are all reported, no label or value holds a key or a
// card number, and when the issuer host goes away /readyz turns 503 and
// names the link.
func TestMetricsAndReadiness(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		p := startPlatform(t, dsn)
		res := p.do("GET", "/readyz", "", nil)
		if res.Status != 200 || res.Object["status"] != "ready" {
			t.Fatalf("readyz: %d %s", res.Status, res.Body)
		}
		for _, part := range []string{"database", "vault", "issuer_link"} {
			if res.Object["checks"].(map[string]any)[part] != "ok" {
				t.Errorf("readyz check %s: %s", part, res.Body)
			}
		}
		hooks := newHookReceiver(t, p.creds.WebhookSecret)
		if res := p.do("PATCH", "/account", p.creds.SecretKey, url.Values{"webhook_uri": {hooks.URL + "/hooks"}}); res.Status != 200 {
			t.Fatalf("PATCH /account: %d %s", res.Status, res.Body)
		}
		ok := p.chargeCard("4242424242424242")
		declined := p.chargeCard("4111111111140011")
		if ok.Object["status"] != "successful" || declined.Object["failure_code"] != "insufficient_fund" {
			t.Fatalf("charges: %s / %s", ok.Body, declined.Body)
		}
		p.do("GET", "/charges/chrg_test_doesnotexist00000000", p.creds.SecretKey, nil)

		hooks.next(t, "charge.create")
		// The delivery is recorded (and observed) just after the endpoint
		// answered: wait for the metrics to show it and the backlog to drain.
		var status int
		var body string
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			status, body = scrape(t, p.HTTPURL())
			n, _ := metricValue(body, `kessai_webhook_delivery_latency_seconds_count{state="delivered"}`)
			backlog, _ := metricValue(body, "kessai_webhook_backlog")
			if n >= 2 && backlog == 0 || time.Now().After(deadline) {
				if n < 2 || backlog != 0 {
					t.Errorf("webhooks: %v delivered, backlog %v; want both charges' events delivered and none pending", n, backlog)
				}
				break
			}
		}
		if status != 200 {
			t.Fatalf("metrics: %d %s", status, body)
		}
		want := map[string]float64{
			`kessai_charges_total{failure_code="",status="successful"}`:                                   1,
			`kessai_charges_total{failure_code="insufficient_fund",status="failed"}`:                      1,
			`kessai_http_request_duration_seconds_count{method="POST",route="/charges",status="200"}`:     2,
			`kessai_http_request_duration_seconds_count{method="POST",route="/tokens",status="200"}`:      2,
			`kessai_http_request_duration_seconds_count{method="GET",route="/charges/{id}",status="404"}`: 1,
			`kessai_issuer_link_up`:                        1,
			`kessai_state_up`:                              1,
			`kessai_reversal_queue_depth`:                  0,
			`kessai_reversal_queue_oldest_age_seconds`:     0,
			`kessai_issuer_requests_in_flight{mti="0200"}`: 0,
		}
		for series, v := range want {
			got, ok := metricValue(body, series)
			if !ok || got != v {
				t.Errorf("%s = %v (present %v), want %v", series, got, ok, v)
			}
		}
		for _, series := range []string{
			`kessai_db_commit_duration_seconds_count`,
			// Charges captured at once go out as sales (0200).
			`kessai_issuer_round_trip_seconds_count{mti="0200",result="answered"}`,
		} {
			if got, ok := metricValue(body, series); !ok || got < 1 {
				t.Errorf("%s = %v (present %v), want ≥ 1", series, got, ok)
			}
		}
		for _, secret := range []string{p.creds.SecretKey, p.creds.PublicKey, "4242424242424242", "4111111111140011", "acct_"} {
			if strings.Contains(body, secret) {
				t.Errorf("metrics expose %.9s…", secret)
			}
		}

		// The HTTPS listener serves it too (loopback client).
		if p.HTTPSURL() != "" {
			req, _ := http.NewRequest("GET", p.HTTPSURL()+"/metrics", nil)
			if res, err := p.httpsClient().Do(req); err != nil || res.StatusCode != 200 {
				t.Errorf("metrics over HTTPS: %v %v", res, err)
			} else {
				res.Body.Close()
			}
		}

		// The card network goes away: readiness names the link.
		p.Issuer.Close()
		deadline := time.Now().Add(30 * time.Second)
		for {
			res = p.do("GET", "/readyz", "", nil)
			if res.Status == 503 || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if res.Status != 503 || res.Object["code"] != "service_unavailable" || res.Object["object"] != "error" {
			t.Fatalf("readyz without issuer: %d %s", res.Status, res.Body)
		}
		if nr, _ := res.Object["not_ready"].([]any); len(nr) != 1 || nr[0] != "issuer_link" {
			t.Errorf("not_ready = %v, want [issuer_link]", res.Object["not_ready"])
		}
		if _, body = scrape(t, p.HTTPURL()); !strings.Contains(body, "\nkessai_issuer_link_up 0\n") {
			t.Error("kessai_issuer_link_up is not 0 with the issuer host gone")
		}
	})
}

// httpsClient returns a client that trusts the platform's dev CA.
func (p *platform) httpsClient() *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: p.CA.CertPool()}}}
}
