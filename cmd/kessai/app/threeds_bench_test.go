package app_test

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/kessai/kessai/devpki"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/threeds"
)

// BenchmarkThreeDSRoundTrip measures what 3-D Secure adds to a frictionless
// payment: the AReq from the 3DS Server through the DS to the ACS and the
// ARes back, over HTTPS with mutual TLS on loopback, paced at 200 per
// second (one every 5 ms, as the target asks). It reports the p50 and p99
// latencies in milliseconds.
func BenchmarkThreeDSRoundTrip(b *testing.B) {
	p := startThreeDSPlatform(b, dbtest.SQLiteDSN(b), nil)
	leaf, err := p.CA.ClientCert("bench-3dss", "kessai-3dss")
	if err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: devpki.ClientTLSConfig(p.CA.CertPool(), leaf.Certificate), MaxIdleConnsPerHost: 64}}
	dsURL := p.ThreeDSURL() + "/ds"
	yes := true
	areq := func() *threeds.AReq {
		return &threeds.AReq{
			Header:                            threeds.Header{MessageVersion: threeds.Version220, ThreeDSServerTransID: threeds.NewTransID()},
			ThreeDSCompInd:                    "U",
			ThreeDSRequestorAuthenticationInd: "01", ThreeDSRequestorChallengeInd: "01",
			ThreeDSRequestorID: "kessai-3dsr", ThreeDSRequestorName: "Kessai", ThreeDSRequestorURL: p.HTTPSURL(),
			ThreeDSServerRefNumber: "KESSAI-3DSS-1", ThreeDSServerURL: p.ThreeDSURL() + "/3ds/results",
			AcquirerBIN: "400000", AcquirerMerchantID: "acct_bench", AcctNumber: threeds.AcctNumber(cardFrictionless), CardExpiryDate: "3112",
			BrowserInfo: threeds.BrowserInfo{BrowserAcceptHeader: "text/html", BrowserIP: "127.0.0.1", BrowserJavascriptEnabled: &yes,
				BrowserJavaEnabled: new(bool), BrowserLanguage: "ja-JP", BrowserColorDepth: "24", BrowserScreenHeight: "900", BrowserScreenWidth: "1600",
				BrowserTZ: "-540", BrowserUserAgent: "bench"},
			DeviceChannel: threeds.ChannelBrowser, MCC: "5999", MerchantCountryCode: "392", MerchantName: "Kessai",
			MessageCategory: threeds.CategoryPayment, NotificationURL: p.HTTPSURL() + "/payments/paym_test_bench/notify",
			PurchaseAmount: "5000", PurchaseCurrency: "392", PurchaseExponent: "0", PurchaseDate: time.Now().UTC().Format("20060102150405"), TransType: "01",
		}
	}
	ctx := context.Background()
	// Warm the connections.
	for range 20 {
		var ares threeds.ARes
		if err := threeds.Post(ctx, client, dsURL, areq(), &ares); err != nil || ares.TransStatus != "Y" {
			b.Fatalf("warm-up: %v %+v", err, ares)
		}
	}
	lat := make([]time.Duration, 0, b.N)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	b.ResetTimer()
	for range b.N {
		<-tick.C
		m := areq()
		start := time.Now()
		var ares threeds.ARes
		if err := threeds.Post(ctx, client, dsURL, m, &ares); err != nil || ares.TransStatus != "Y" {
			b.Fatalf("AReq: %v %+v", err, ares)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	ms := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))]) / 1e6 }
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
}

// BenchmarkThreeDSFrictionlessCharge runs the whole frictionless path, one
// payment after another, as a merchant and a browser without JavaScript do
// it: a token, POST /charges with authentication=3DS (pending, with its
// authorize_uri), the authorize page, the form post that sends the AReq and
// authorizes over ISO 8583 with the ECI and CAVV, and the final page.
func BenchmarkThreeDSFrictionlessCharge(b *testing.B) {
	p := startThreeDSPlatform(b, dbtest.SQLiteDSN(b), nil)
	browser := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: p.CA.CertPool()}},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Host == "shop.example" {
				return http.ErrUseLastResponse
			}
			return nil
		}}
	var last string
	one := func() {
		ch := charge3DS(b, p, cardFrictionless, 5000, "http://shop.example/return", false)
		last = ch["id"].(string)
		uri := ch["authorize_uri"].(string)
		for _, step := range []func() (*http.Response, error){
			func() (*http.Response, error) { return browser.Get(uri) },
			func() (*http.Response, error) { return browser.PostForm(uri, url.Values{}) },
		} {
			res, err := step()
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	}
	one()
	b.ResetTimer()
	for range b.N {
		one()
	}
	b.StopTimer()
	if got := settled(b, p, last); got.Status != "successful" {
		b.Fatalf("last charge: %+v", got)
	}
}
