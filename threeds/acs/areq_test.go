package acs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/kessai/kessai/issuersim"
	"github.com/kessai/kessai/threeds"
	"github.com/kessai/kessai/threeds/acs"
	"github.com/kessai/kessai/threeds/ds"
)

// postRaw posts a message body to the ACS's AReq endpoint and decodes the
// answer.
func postRaw(t *testing.T, c *http.Client, url string, m any) threeds.Message {
	t.Helper()
	b, _ := json.Marshal(m)
	res, err := c.Post(url, threeds.ContentType, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	var buf bytes.Buffer
	buf.ReadFrom(res.Body)
	ans, err := threeds.Decode(buf.Bytes())
	if err != nil {
		t.Fatalf("answer %s: %v", buf.String(), err)
	}
	return ans
}

func TestAReqEndpoint(t *testing.T) {
	e := newEnv(t, nil)
	fromDS := func() *threeds.AReq {
		a := e.areq("4000000000001000", "1000")
		a.MessageType = "AReq"
		a.DSTransID, a.DSReferenceNumber, a.DSURL = threeds.NewTransID(), "DS", e.dsURL
		return a
	}
	erro := func(m threeds.Message) *threeds.Erro {
		t.Helper()
		x, ok := m.(*threeds.Erro)
		if !ok {
			t.Fatalf("answer %T, want Erro", m)
		}
		if x.ErrorComponent != "A" {
			t.Fatalf("component %s", x.ErrorComponent)
		}
		return x
	}
	// Without a client certificate: 303.
	if x := erro(postRaw(t, e.browser, e.acs.AReqURL(), fromDS())); x.ErrorCode != "303" {
		t.Fatalf("no certificate: %+v", x)
	}
	// Straight from a 3DS Server (no DS elements): 201 dsTransID.
	a := fromDS()
	a.DSTransID = ""
	if x := erro(postRaw(t, e.mtls, e.acs.AReqURL(), a)); x.ErrorCode != "201" || x.ErrorDetail != "dsTransID" {
		t.Fatalf("no DS elements: %+v", x)
	}
	// Another message type: 101.
	rres := &threeds.RRes{Header: threeds.Header{MessageType: "RRes", MessageVersion: "2.2.0", ThreeDSServerTransID: threeds.NewTransID(), DSTransID: threeds.NewTransID(), ACSTransID: threeds.NewTransID()}, ResultsStatus: "01"}
	if x := erro(postRaw(t, e.mtls, e.acs.AReqURL(), rres)); x.ErrorCode != "101" {
		t.Fatalf("RRes to the AReq endpoint: %+v", x)
	}
	// The same AReq twice: the same ARes (same acsTransID).
	a = fromDS()
	first, ok := postRaw(t, e.mtls, e.acs.AReqURL(), a).(*threeds.ARes)
	second, ok2 := postRaw(t, e.mtls, e.acs.AReqURL(), a).(*threeds.ARes)
	if !ok || !ok2 || first.ACSTransID != second.ACSTransID || first.AuthenticationValue != second.AuthenticationValue {
		t.Fatalf("repeated AReq: %+v / %+v", first, second)
	}
	if err := first.ValidateFor(a); err != nil {
		t.Fatal(err)
	}
}

func TestKeyFileAndVerifier(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "acs-cavv.key")
	k1, err := acs.LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := acs.LoadOrCreateKey(path)
	if err != nil || !bytes.Equal(k1, k2) || len(k1) != acs.KeySize {
		t.Fatalf("second load: %v", err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", fi.Mode(), err)
	}
	os.WriteFile(path, []byte("short"), 0o600)
	if _, err := acs.LoadOrCreateKey(path); err == nil {
		t.Fatal("a 5-byte key was accepted")
	}
	// An issuer host running apart checks the ACS's CAVVs with the key alone.
	e := newEnv(t, func(c *acs.Config, _ *ds.Config) { c.Key = k1 })
	ares, err := e.server.Authenticate(context.Background(), e.areq("5200000000001005", "1000"))
	if err != nil {
		t.Fatal(err)
	}
	d := issuersim.ThreeDSData{Last4: "1005", Amount: 1000, Currency: "392", ECI: ares.ECI, CAVV: ares.AuthenticationValue, DSTransactionID: ares.DSTransID}
	if code := acs.Verifier(k1)(context.Background(), d); code != "" {
		t.Fatalf("Verifier refused the ACS's CAVV: %s", code)
	}
	if code := acs.Verifier(k2[:31:31])(context.Background(), d); code == "" {
		// k2[:31] differs from the key: another card company's key.
		t.Fatal("a CAVV verified under another key")
	}
}
