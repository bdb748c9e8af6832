package ds_test

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kessai/kessai/devpki"
	"github.com/kessai/kessai/threeds"
	"github.com/kessai/kessai/threeds/ds"
)

// dsEnv is a DS between a scripted ACS and a scripted 3DS Server, all on
// mutual TLS.
type dsEnv struct {
	ds      *ds.Server
	url     string
	server  *ds.Client // 3DS Server → DS
	acs     *http.Client
	noCert  *http.Client
	rreqURL string

	mu     sync.Mutex
	ares   func(*threeds.AReq) threeds.Message // the ACS's answer
	areqs  []*threeds.AReq
	rreqs  int // RReqs the 3DS Server received
	refuse bool
}

func newDSEnv(t *testing.T, mod func(*ds.Config)) *dsEnv {
	t.Helper()
	ca, err := devpki.EnsureCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := ca.ServerCert("server")
	cert := func(name string) tls.Certificate {
		c, err := ca.ClientCert(name, name)
		if err != nil {
			t.Fatal(err)
		}
		return c.Certificate
	}
	client := func(c ...tls.Certificate) *http.Client {
		return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: devpki.ClientTLSConfig(ca.CertPool(), c...)}}
	}
	e := &dsEnv{acs: client(cert("acs")), noCert: client()}
	start := func(h http.Handler, cfg *tls.Config) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		s := &httptest.Server{Listener: l, Config: &http.Server{Handler: h}, TLS: cfg}
		s.StartTLS()
		t.Cleanup(s.Close)
		return s.URL
	}
	acsURL := start(http.HandlerFunc(e.serveACS), ca.MutualTLSConfig(srv)) + "/areq"
	e.rreqURL = start(http.HandlerFunc(e.serveServer), ca.MutualTLSConfig(srv)) + "/results"
	var h http.Handler
	e.url = start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }), ca.MutualTLSConfig(srv)) + "/ds"
	cfg := ds.Config{
		URL: e.url, Client: client(cert("ds")), ACSTimeout: 2 * time.Second,
		Ranges: ds.RangesFor(acsURL, []threeds.CardRange{{
			StartRange: "4000000000000000", EndRange: "4999999999999999",
			ACSStartProtocolVersion: "2.1.0", ACSEndProtocolVersion: "2.2.0", ThreeDSMethodURL: "https://acs.example/method",
		}, {
			StartRange: "3530000000000000", EndRange: "3539999999999999",
			ACSStartProtocolVersion: "2.2.0", ACSEndProtocolVersion: "2.2.0",
		}}),
	}
	if mod != nil {
		mod(&cfg)
	}
	e.ds, err = ds.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h = e.ds
	e.server = &ds.Client{URL: e.url, HTTP: client(cert("3dss"))}
	e.ares = func(a *threeds.AReq) threeds.Message { return challengeARes(a) }
	return e
}

func challengeARes(a *threeds.AReq) threeds.Message {
	return &threeds.ARes{Header: threeds.Header{MessageVersion: a.MessageVersion, ThreeDSServerTransID: a.ThreeDSServerTransID, DSTransID: a.DSTransID, ACSTransID: threeds.NewTransID()},
		ACSReferenceNumber: "ACS", DSReferenceNumber: a.DSReferenceNumber, TransStatus: "C", ACSURL: "https://acs.example/challenge", ACSChallengeMandated: "N", AuthenticationType: "02"}
}

func (e *dsEnv) serveACS(w http.ResponseWriter, r *http.Request) {
	m, err := threeds.ReadMessage(r)
	if err != nil {
		threeds.WriteMessage(w, threeds.NewErro(nil, "", "A", err))
		return
	}
	a := m.(*threeds.AReq)
	if err := a.ValidateFromDS(); err != nil {
		threeds.WriteMessage(w, threeds.NewErro(a.Head(), "AReq", "A", err))
		return
	}
	e.mu.Lock()
	e.areqs = append(e.areqs, a)
	f := e.ares
	e.mu.Unlock()
	if ans := f(a); ans != nil {
		threeds.WriteMessage(w, ans)
	} else {
		<-r.Context().Done()
	}
}

func (e *dsEnv) serveServer(w http.ResponseWriter, r *http.Request) {
	m, err := threeds.ReadMessage(r)
	e.mu.Lock()
	e.rreqs++
	refuse := e.refuse
	e.mu.Unlock()
	if err == nil && refuse {
		err = threeds.Errorf(threeds.CodeTransientFailure, "", "busy")
	}
	if err != nil {
		threeds.WriteMessage(w, threeds.NewErro(m.Head(), "RReq", "S", err))
		return
	}
	threeds.WriteMessage(w, &threeds.RRes{Header: m.Head().IDs(), ResultsStatus: "01"})
}

func (e *dsEnv) areq(number string) *threeds.AReq {
	b, _ := testAReqJSON(number, e.rreqURL)
	a, err := threeds.DecodeAReq(b)
	if err != nil {
		panic(err)
	}
	return a
}

func testAReqJSON(number, serverURL string) ([]byte, error) {
	s := `{"messageType":"AReq","messageVersion":"2.2.0","threeDSServerTransID":"` + threeds.NewTransID() + `",
	"threeDSCompInd":"U","threeDSRequestorAuthenticationInd":"01","threeDSRequestorID":"m1","threeDSRequestorName":"Shop",
	"threeDSRequestorURL":"https://shop.example/","threeDSServerRefNumber":"KESSAI-3DSS","threeDSServerURL":"` + serverURL + `",
	"acquirerBIN":"400000","acquirerMerchantID":"m1","acctNumber":"` + number + `","browserAcceptHeader":"text/html",
	"browserJavascriptEnabled":false,"browserLanguage":"ja","browserUserAgent":"ua","deviceChannel":"02","mcc":"5999",
	"merchantCountryCode":"392","merchantName":"Shop","messageCategory":"01","notificationURL":"https://shop.example/n",
	"purchaseAmount":"1000","purchaseCurrency":"392","purchaseExponent":"0","purchaseDate":"20261122070000"}`
	return []byte(s), nil
}

// post sends a message with the given client and decodes the answer.
func post(t *testing.T, c *http.Client, url string, req, resp threeds.Message) error {
	t.Helper()
	return threeds.Post(context.Background(), c, url, req, resp)
}

func TestAReqRouting(t *testing.T) {
	e := newDSEnv(t, nil)
	a := e.areq("4242424242424242")
	ares, err := e.server.Authenticate(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	if ares.TransStatus != "C" || ares.DSTransID == "" {
		t.Fatalf("ARes %+v", ares)
	}
	got := e.areqs[0]
	if got.DSTransID != ares.DSTransID || got.DSReferenceNumber != ds.DefaultReference || got.DSURL != e.url {
		t.Fatalf("forwarded AReq lacks the DS elements: %q %q %q", got.DSTransID, got.DSReferenceNumber, got.DSURL)
	}
	if got.AcctNumber != a.AcctNumber {
		t.Fatal("card number not forwarded")
	}
}

func TestAReqErrors(t *testing.T) {
	e := newDSEnv(t, func(c *ds.Config) { c.ServerRefNumbers = []string{"KESSAI-3DSS"} })
	tests := []struct {
		name    string
		mod     func(*threeds.AReq)
		setup   func()
		code    string
		comp    string
		element string
	}{
		{"card in no range", func(a *threeds.AReq) { a.AcctNumber = "5555555555554444" }, nil, "305", "D", "acctNumber"},
		{"version not spoken by the range's ACS", func(a *threeds.AReq) {
			no := false
			a.AcctNumber, a.MessageVersion = "3530111333300000", "2.1.0"
			a.BrowserJavaEnabled, a.BrowserColorDepth, a.BrowserScreenHeight, a.BrowserScreenWidth, a.BrowserTZ = &no, "24", "900", "1440", "-540"
		}, nil, "102", "D", "messageVersion"},
		{"unregistered 3DS Server", func(a *threeds.AReq) { a.ThreeDSServerRefNumber = "OTHER" }, nil, "303", "D", "threeDSServerRefNumber"},
		{"plain http results URL", func(a *threeds.AReq) { a.ThreeDSServerURL = "http://127.0.0.1/results" }, nil, "203", "D", "threeDSServerURL"},
		{"DS elements set by the requestor", func(a *threeds.AReq) { a.DSTransID = threeds.NewTransID() }, nil, "203", "D", "dsTransID"},
		{"missing element", func(a *threeds.AReq) { a.MerchantName = "" }, nil, "201", "D", "merchantName"},
		{"ACS answers Erro", nil, func() {
			e.ares = func(a *threeds.AReq) threeds.Message {
				return threeds.NewErro(a.Head(), "AReq", "A", threeds.Errorf("403", "", "ACS busy"))
			}
		}, "403", "A", ""},
		{"ACS answers a bad ARes", nil, func() {
			e.ares = func(a *threeds.AReq) threeds.Message {
				r := challengeARes(a).(*threeds.ARes)
				r.ACSURL = ""
				return r
			}
		}, "201", "", "acsURL"},
		{"ACS silent", nil, func() { e.ares = func(*threeds.AReq) threeds.Message { return nil } }, "402", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup()
			}
			a := e.areq("4242424242424242")
			if tc.mod != nil {
				tc.mod(a)
			}
			_, err := e.server.Authenticate(context.Background(), a)
			terr, ok := err.(*threeds.Error)
			if !ok || terr.Code != tc.code {
				t.Fatalf("err = %v, want code %s", err, tc.code)
			}
			if tc.comp != "" && (terr.Erro == nil || terr.Erro.ErrorComponent != tc.comp) {
				t.Fatalf("Erro %+v, want component %s", terr.Erro, tc.comp)
			}
			if tc.element != "" && terr.Element != tc.element {
				t.Fatalf("element %q, want %q", terr.Element, tc.element)
			}
		})
	}
}

func TestClientCertificateRequired(t *testing.T) {
	e := newDSEnv(t, nil)
	// The listener itself refuses a client without a certificate.
	var ares threeds.ARes
	err := post(t, e.noCert, e.url, e.areq("4242424242424242"), &ares)
	if threeds.ErrorCode(err) != threeds.CodeConnectionFailure {
		t.Fatalf("without a client certificate: %v", err)
	}
	// Plain HTTP to the handler (no TLS at all) is 303.
	rec := httptest.NewRecorder()
	e.ds.ServeHTTP(rec, httptest.NewRequest("POST", "/ds", strings.NewReader(`{"messageType":"PReq","messageVersion":"2.2.0","threeDSServerTransID":"`+threeds.NewTransID()+`","threeDSServerRefNumber":"X"}`)))
	erro, err := threeds.DecodeErro(rec.Body.Bytes())
	if err != nil || erro.ErrorCode != "303" {
		t.Fatalf("no TLS: %v %+v", err, erro)
	}
}

func TestPReq(t *testing.T) {
	e := newDSEnv(t, func(c *ds.Config) { c.PReqInterval = time.Hour; c.SerialNum = "7" })
	preq := func(serial, ref string) *threeds.PReq {
		return &threeds.PReq{Header: threeds.Header{MessageVersion: "2.2.0", ThreeDSServerTransID: threeds.NewTransID()}, ThreeDSServerRefNumber: ref, SerialNum: serial}
	}
	pres, err := e.server.Prepare(context.Background(), preq("", "A"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pres.CardRangeData) != 2 || pres.SerialNum != "7" || pres.CardRangeData[0].ThreeDSMethodURL != "https://acs.example/method" || pres.CardRangeData[0].ActionInd != "A" {
		t.Fatalf("PRes %+v", pres)
	}
	if err := pres.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.server.Prepare(context.Background(), preq("", "A")); threeds.ErrorCode(err) != "103" {
		t.Fatalf("second PReq within the hour: %v", err)
	}
	if _, err := e.server.Prepare(context.Background(), preq("6", "B")); threeds.ErrorCode(err) != "307" {
		t.Fatalf("unknown serial: %v", err)
	}
	pres, err = e.server.Prepare(context.Background(), preq("7", "C"))
	if err != nil || len(pres.CardRangeData) != 0 {
		t.Fatalf("current serial: %v %+v", err, pres)
	}
}

func TestRReqRelay(t *testing.T) {
	e := newDSEnv(t, nil)
	ares, err := e.server.Authenticate(context.Background(), e.areq("4242424242424242"))
	if err != nil {
		t.Fatal(err)
	}
	rreq := func() *threeds.RReq {
		return &threeds.RReq{Header: ares.IDs(), MessageCategory: "01", TransStatus: "N", TransStatusReason: "01", InteractionCounter: "01"}
	}
	var rres threeds.RRes
	if err := post(t, e.acs, e.url, rreq(), &rres); err != nil {
		t.Fatal(err)
	}
	if rres.ResultsStatus != "01" || rres.ACSTransID != ares.ACSTransID {
		t.Fatalf("RRes %+v", rres)
	}
	// The same RReq again (the ACS retrying): the same RRes, not relayed twice.
	if err := post(t, e.acs, e.url, rreq(), &rres); err != nil || rres.ResultsStatus != "01" {
		t.Fatalf("duplicate RReq: %v", err)
	}
	if e.rreqs != 1 {
		t.Fatalf("3DS Server got %d RReqs, want 1", e.rreqs)
	}
	// Another result for the same transaction: 301.
	other := rreq()
	other.TransStatus, other.TransStatusReason = "R", "11"
	if err := post(t, e.acs, e.url, other, &rres); threeds.ErrorCode(err) != "301" {
		t.Fatalf("conflicting RReq: %v", err)
	}
	// Unknown transaction, wrong acsTransID.
	unknown := rreq()
	unknown.DSTransID = threeds.NewTransID()
	if err := post(t, e.acs, e.url, unknown, &rres); threeds.ErrorCode(err) != "301" {
		t.Fatalf("unknown dsTransID: %v", err)
	}
	wrong := rreq()
	wrong.ACSTransID = threeds.NewTransID()
	if err := post(t, e.acs, e.url, wrong, &rres); threeds.ErrorCode(err) != "301" {
		t.Fatalf("wrong acsTransID: %v", err)
	}
	// An invalid RReq: the DS's Erro 201.
	bad := rreq()
	bad.InteractionCounter = ""
	if err := post(t, e.acs, e.url, bad, &rres); threeds.ErrorCode(err) != "201" {
		t.Fatalf("invalid RReq: %v", err)
	}
	if e.rreqs != 1 {
		t.Fatalf("3DS Server got %d RReqs, want 1", e.rreqs)
	}
}

func TestRReqForFrictionless(t *testing.T) {
	e := newDSEnv(t, nil)
	e.ares = func(a *threeds.AReq) threeds.Message {
		return &threeds.ARes{Header: threeds.Header{MessageVersion: a.MessageVersion, ThreeDSServerTransID: a.ThreeDSServerTransID, DSTransID: a.DSTransID, ACSTransID: threeds.NewTransID()},
			ACSReferenceNumber: "ACS", DSReferenceNumber: a.DSReferenceNumber, TransStatus: "N", TransStatusReason: "01"}
	}
	ares, err := e.server.Authenticate(context.Background(), e.areq("4242424242424242"))
	if err != nil {
		t.Fatal(err)
	}
	var rres threeds.RRes
	err = post(t, e.acs, e.url, &threeds.RReq{Header: ares.IDs(), MessageCategory: "01", TransStatus: "N", TransStatusReason: "01", InteractionCounter: "00"}, &rres)
	if threeds.ErrorCode(err) != "301" || e.rreqs != 0 {
		t.Fatalf("RReq for a frictionless transaction: %v (relayed %d)", err, e.rreqs)
	}
}

func TestRReqRefusedByServer(t *testing.T) {
	e := newDSEnv(t, nil)
	ares, err := e.server.Authenticate(context.Background(), e.areq("4242424242424242"))
	if err != nil {
		t.Fatal(err)
	}
	e.refuse = true
	var rres threeds.RRes
	err = post(t, e.acs, e.url, &threeds.RReq{Header: ares.IDs(), MessageCategory: "01", TransStatus: "N", TransStatusReason: "01", InteractionCounter: "01"}, &rres)
	terr, ok := err.(*threeds.Error)
	if !ok || terr.Code != "403" || terr.Erro == nil || terr.Erro.ErrorComponent != "S" {
		t.Fatalf("refused RReq: %v", err)
	}
	// Not recorded as delivered: the ACS's retry is relayed.
	e.refuse = false
	if err := post(t, e.acs, e.url, &threeds.RReq{Header: ares.IDs(), MessageCategory: "01", TransStatus: "N", TransStatusReason: "01", InteractionCounter: "01"}, &rres); err != nil {
		t.Fatalf("retry: %v", err)
	}
}

func TestACSUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "https://" + l.Addr().String() + "/areq"
	l.Close()
	e := newDSEnv(t, func(c *ds.Config) {
		for i := range c.Ranges {
			c.Ranges[i].ACSURL = closed
		}
	})
	_, err = e.server.Authenticate(context.Background(), e.areq("4242424242424242"))
	terr, ok := err.(*threeds.Error)
	if !ok || terr.Code != threeds.CodeConnectionFailure || terr.Erro == nil || terr.Erro.ErrorComponent != "D" {
		t.Fatalf("ACS unreachable: %v", err)
	}
}

func TestConfigRefusesBadRanges(t *testing.T) {
	good := ds.Config{URL: "https://ds.example/ds", Client: http.DefaultClient, Ranges: ds.RangesFor("https://acs.example/areq", []threeds.CardRange{{
		StartRange: "4000000000000000", EndRange: "4999999999999999", ACSStartProtocolVersion: "2.1.0", ACSEndProtocolVersion: "2.2.0"}})}
	if _, err := ds.New(good); err != nil {
		t.Fatal(err)
	}
	for name, mod := range map[string]func(*ds.Config){
		"http URL":  func(c *ds.Config) { c.URL = "http://ds.example/ds" },
		"no ranges": func(c *ds.Config) { c.Ranges = nil },
		"no client": func(c *ds.Config) { c.Client = nil },
		"inverted range": func(c *ds.Config) {
			c.Ranges = ds.RangesFor("https://a/areq", []threeds.CardRange{{StartRange: "4999999999999999", EndRange: "4000000000000000", ACSStartProtocolVersion: "2.1.0", ACSEndProtocolVersion: "2.2.0"}})
		},
		"http ACS": func(c *ds.Config) {
			c.Ranges = []ds.Range{{CardRange: good.Ranges[0].CardRange, ACSURL: "http://a/areq"}}
		},
	} {
		c := good
		mod(&c)
		if _, err := ds.New(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
