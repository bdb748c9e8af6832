package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kessai/kessai/devpki"
	"github.com/kessai/kessai/threeds"
	"github.com/kessai/kessai/threeds/ds"
)

// startCommand runs a long-running subcommand and returns the value
// after prefix in the first stdout line that has it.
func startCommand(t *testing.T, ctx context.Context, run func(context.Context, []string, io.Writer, io.Writer) error, args []string, prefix string) string {
	t.Helper()
	r, w := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, w, io.Discard); w.Close() }()
	t.Cleanup(func() {
		if err := <-done; err != nil {
			t.Errorf("%s: %v", args, err)
		}
	})
	found := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(r)
		for s.Scan() {
			if v, ok := strings.CutPrefix(s.Text(), prefix); ok {
				select {
				case found <- v:
				default:
				}
			}
		}
	}()
	select {
	case v := <-found:
		return v
	case err := <-done:
		t.Fatalf("%s ended: %v", args, err)
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not start", args)
	}
	return ""
}

// TestDSAndACSCommands runs "kessai acs" and "kessai ds" on free ports
// with one data directory and authenticates through them as a 3DS Server
// with a certificate of the same dev CA.
func TestDSAndACSCommands(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	acsURL := startCommand(t, ctx, runACS, []string{"--data", dir, "--listen", "127.0.0.1:0"}, "acs listening on ")
	dsURL := startCommand(t, ctx, runDS, []string{"--data", dir, "--listen", "127.0.0.1:0", "--acs", acsURL}, "ds listening on ")

	ca, err := devpki.EnsureCA(filepath.Join(dir, "pki"))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.ClientCert("test-3dss", "test-3dss")
	if err != nil {
		t.Fatal(err)
	}
	c := &ds.Client{URL: dsURL, HTTP: &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{TLSClientConfig: devpki.ClientTLSConfig(ca.CertPool(), cert.Certificate)}}}
	pres, err := c.Prepare(ctx, &threeds.PReq{Header: threeds.Header{MessageVersion: "2.2.0", ThreeDSServerTransID: threeds.NewTransID()}, ThreeDSServerRefNumber: "T"})
	if err != nil {
		t.Fatal(err)
	}
	if len(pres.CardRangeData) == 0 || pres.CardRangeData[0].ThreeDSMethodURL != acsURL+"/method" {
		t.Fatalf("PRes ranges %+v", pres.CardRangeData)
	}
	yes := true
	areq := &threeds.AReq{
		Header: threeds.Header{MessageVersion: "2.2.0", ThreeDSServerTransID: threeds.NewTransID()}, ThreeDSCompInd: "U",
		ThreeDSRequestorAuthenticationInd: "01", ThreeDSRequestorID: "m", ThreeDSRequestorName: "Shop", ThreeDSRequestorURL: "https://shop.example/",
		ThreeDSServerRefNumber: "T", ThreeDSServerURL: "https://127.0.0.1:1/results", AcquirerBIN: "1", AcquirerMerchantID: "m",
		AcctNumber: "4000000000001000", DeviceChannel: "02", MessageCategory: "01", MCC: "5999", MerchantCountryCode: "392", MerchantName: "Shop",
		NotificationURL: "https://127.0.0.1:1/n", PurchaseAmount: "500", PurchaseCurrency: "392", PurchaseExponent: "0", PurchaseDate: "20261122000000",
		BrowserInfo: threeds.BrowserInfo{BrowserAcceptHeader: "*/*", BrowserJavascriptEnabled: &yes, BrowserJavaEnabled: &yes, BrowserColorDepth: "24",
			BrowserScreenHeight: "1", BrowserScreenWidth: "1", BrowserTZ: "0", BrowserUserAgent: "t", BrowserLanguage: "en"},
	}
	ares, err := c.Authenticate(ctx, areq)
	if err != nil {
		t.Fatal(err)
	}
	if ares.TransStatus != "Y" || ares.ECI != "05" || len(ares.AuthenticationValue) != 28 {
		t.Fatalf("ARes %s ECI %s CAVV length %d", ares.TransStatus, ares.ECI, len(ares.AuthenticationValue))
	}
}

func TestDSNeedsACS(t *testing.T) {
	err := runDS(context.Background(), []string{"--data", t.TempDir()}, io.Discard, io.Discard)
	if exitCode(err) != 2 {
		t.Fatalf("kessai ds without --acs: %v", err)
	}
}
