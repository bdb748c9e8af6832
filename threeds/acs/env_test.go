package acs_test

import (
	"crypto/tls"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kessai/kessai/devpki"
	"github.com/kessai/kessai/threeds"
	"github.com/kessai/kessai/threeds/acs"
	"github.com/kessai/kessai/threeds/ds"
)

// env is a DS and an ACS on real TLS listeners with mutual TLS from a
// test CA, a stand-in 3DS Server that records the RReqs it receives, and
// the clients of a 3DS Server and of a browser.
type env struct {
	ca      *devpki.CA
	acs     *acs.ACS
	ds      *ds.Server
	dsURL   string
	server  *ds.Client   // the 3DS Server's DS client
	browser *http.Client // no client certificate; does not follow redirects
	mtls    *http.Client // a component's client (ACS or DS certificate)

	rreqURL  string // the stand-in 3DS Server's RReq endpoint
	notifURL string

	mu      sync.Mutex
	posted  chan url.Values // forms posted to the notificationURL (browser)
	rreqs   []*threeds.RReq
	refuse  bool // the 3DS Server answers RReqs with Erro 403
	arrived chan struct{}
}

func newEnv(t testing.TB, mod func(*acs.Config, *ds.Config)) *env {
	t.Helper()
	ca, err := devpki.EnsureCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srvCert, err := ca.ServerCert("server")
	if err != nil {
		t.Fatal(err)
	}
	dsCert, err := ca.ClientCert("ds-client", "kessai-ds")
	if err != nil {
		t.Fatal(err)
	}
	acsCert, err := ca.ClientCert("acs-client", "kessai-acs")
	if err != nil {
		t.Fatal(err)
	}
	tdssCert, err := ca.ClientCert("3dss-client", "kessai-3ds-server")
	if err != nil {
		t.Fatal(err)
	}
	client := func(c tls.Certificate) *http.Client {
		return &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{TLSClientConfig: devpki.ClientTLSConfig(ca.CertPool(), c), MaxIdleConnsPerHost: 64}}
	}
	e := &env{ca: ca, arrived: make(chan struct{}, 100), posted: make(chan url.Values, 10)}
	e.browser = &http.Client{
		Timeout:       20 * time.Second,
		Transport:     &http.Transport{TLSClientConfig: devpki.ClientTLSConfig(ca.CertPool())},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	e.mtls = client(acsCert.Certificate)

	// Listeners first: each component's URL goes into the others' config.
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
	var acsH, dsH http.Handler
	acsTLS := devpki.ServerTLSConfig(srvCert.Certificate)
	acsTLS.ClientAuth = tls.VerifyClientCertIfGiven
	acsTLS.ClientCAs = ca.CertPool()
	acsBase := start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { acsH.ServeHTTP(w, r) }), acsTLS)
	e.dsURL = start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { dsH.ServeHTTP(w, r) }), ca.MutualTLSConfig(srvCert)) + "/ds"
	tdss := start(http.HandlerFunc(e.serveRReq), ca.MutualTLSConfig(srvCert))
	e.rreqURL = tdss + "/3ds/results"
	req := start(http.HandlerFunc(e.serveRequestor), devpki.ServerTLSConfig(srvCert.Certificate))
	e.notifURL = req + "/3ds/notify"

	acfg := acs.Config{URL: acsBase + "/acs", Key: []byte("0123456789abcdef0123456789abcdef"), Client: client(acsCert.Certificate), TestMode: true}
	dcfg := ds.Config{URL: e.dsURL, Client: client(dsCert.Certificate), ACSTimeout: 5 * time.Second}
	if mod != nil {
		mod(&acfg, &dcfg)
	}
	e.acs, err = acs.New(acfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.acs.Close() })
	acsH = e.acs
	dcfg.Ranges = ds.RangesFor(e.acs.AReqURL(), e.acs.CardRanges())
	e.ds, err = ds.New(dcfg)
	if err != nil {
		t.Fatal(err)
	}
	dsH = e.ds
	e.server = &ds.Client{URL: e.dsURL, HTTP: client(tdssCert.Certificate)}
	return e
}

// serveRReq is the stand-in 3DS Server's RReq endpoint.
func (e *env) serveRReq(w http.ResponseWriter, r *http.Request) {
	m, err := threeds.ReadMessage(r)
	rreq, ok := m.(*threeds.RReq)
	if err == nil && !ok {
		err = threeds.Errorf(threeds.CodeMessageNotRecognised, "messageType", "not an RReq")
	}
	e.mu.Lock()
	refuse := e.refuse
	if err == nil && !refuse {
		e.rreqs = append(e.rreqs, rreq)
	}
	e.mu.Unlock()
	if err == nil && refuse {
		err = threeds.Errorf(threeds.CodeTransientFailure, "", "refusing")
	}
	if err != nil {
		var h *threeds.Header
		if m != nil {
			h = m.Head()
		}
		threeds.WriteMessage(w, threeds.NewErro(h, threeds.TypeRReq, threeds.ComponentServer, err))
		return
	}
	e.arrived <- struct{}{}
	threeds.WriteMessage(w, &threeds.RRes{Header: rreq.IDs(), ResultsStatus: threeds.ResultsReceived})
}

// received returns the RReqs received so far.
func (e *env) received() []*threeds.RReq {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]*threeds.RReq(nil), e.rreqs...)
}

// waitRReq waits for the next RReq to arrive.
func (e *env) waitRReq(t *testing.T) *threeds.RReq {
	t.Helper()
	select {
	case <-e.arrived:
	case <-time.After(15 * time.Second):
		t.Fatal("no RReq arrived")
	}
	r := e.received()
	return r[len(r)-1]
}

// areq returns a valid browser AReq for the card number and amount (JPY).
func (e *env) areq(number, amount string) *threeds.AReq {
	yes, no := true, false
	return &threeds.AReq{
		Header:                            threeds.Header{MessageVersion: threeds.Version220, ThreeDSServerTransID: threeds.NewTransID()},
		ThreeDSCompInd:                    "Y",
		ThreeDSRequestorAuthenticationInd: "01",
		ThreeDSRequestorID:                "merchant-1",
		ThreeDSRequestorName:              "Demo Shop",
		ThreeDSRequestorURL:               "https://shop.example/",
		ThreeDSServerRefNumber:            "KESSAI-3DSS",
		ThreeDSServerURL:                  e.rreqURL,
		AcquirerBIN:                       "400000",
		AcquirerMerchantID:                "m1",
		AcctNumber:                        threeds.AcctNumber(number),
		BrowserInfo: threeds.BrowserInfo{
			BrowserAcceptHeader: "text/html", BrowserIP: "192.0.2.1", BrowserJavaEnabled: &no, BrowserJavascriptEnabled: &yes,
			BrowserLanguage: "ja-JP", BrowserColorDepth: "24", BrowserScreenHeight: "1000", BrowserScreenWidth: "800",
			BrowserTZ: "-540", BrowserUserAgent: "test-browser/1",
		},
		DeviceChannel:       threeds.ChannelBrowser,
		MCC:                 "5999",
		MerchantCountryCode: "392",
		MerchantName:        "Demo Shop",
		MessageCategory:     threeds.CategoryPayment,
		NotificationURL:     e.notifURL,
		PurchaseAmount:      amount,
		PurchaseCurrency:    "392",
		PurchaseExponent:    "0",
		PurchaseDate:        time.Now().UTC().Format("20060102150405"),
	}
}

// page is a browser response: status, headers and body.
type page struct {
	status int
	header http.Header
	body   string
}

// post posts a form as the browser.
func (e *env) post(t *testing.T, target string, form url.Values) page {
	t.Helper()
	res, err := e.browser.PostForm(target, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return page{res.StatusCode, res.Header, b.String()}
}

// hidden returns the value of the hidden input name in a page, or "".
func (p page) hidden(name string) string {
	i := strings.Index(p.body, `name="`+name+`" value="`)
	if i < 0 {
		return ""
	}
	rest := p.body[i+len(`name="`+name+`" value="`):]
	v := rest[:strings.IndexByte(rest, '"')]
	return strings.NewReplacer("&#43;", "+", "&#61;", "=", "&amp;", "&").Replace(v)
}

// formAction returns the action of the page's first form.
func (p page) formAction() string {
	i := strings.Index(p.body, `action="`)
	if i < 0 {
		return ""
	}
	rest := p.body[i+len(`action="`):]
	return strings.NewReplacer("&#43;", "+", "&amp;", "&").Replace(rest[:strings.IndexByte(rest, '"')])
}

// serveRequestor is the 3DS Requestor's browser side: GET /start shows a
// page whose form posts the CReq (query creq) to the ACS (query acs), in
// the page itself or, with frame=1, into an iframe; POST /3ds/notify
// records the form the ACS's final page posts.
func (e *env) serveRequestor(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/start":
		q := r.URL.Query()
		target, frame := "", ""
		if q.Get("frame") == "1" {
			target, frame = ` target="challenge"`, `<iframe name="challenge" id="challenge" width="600" height="500"></iframe>`
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; frame-src https:; form-action https:")
		fmt.Fprintf(w, `<!doctype html><html><head><title>shop</title></head><body>
<form method="post" action="%s"%s><input type="hidden" name="creq" value="%s">
<input type="hidden" name="threeDSSessionData" value="c2Vzc2lvbg"><button id="go" type="submit">Pay</button></form>%s</body></html>`,
			html.EscapeString(q.Get("acs")), target, html.EscapeString(q.Get("creq")), frame)
	case "/3ds/notify":
		r.ParseForm()
		e.posted <- r.PostForm
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html><head><title>done</title></head><body><p id="done">done</p></body></html>`)
	default:
		http.NotFound(w, r)
	}
}
