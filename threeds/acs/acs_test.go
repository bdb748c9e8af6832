package acs_test

import (
	"context"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kessai/kessai/card"
	"github.com/kessai/kessai/issuersim"
	"github.com/kessai/kessai/threeds"
	"github.com/kessai/kessai/threeds/acs"
	"github.com/kessai/kessai/threeds/ds"
)

// testCard returns the documented test card of the brand whose outcome
// starts with prefix.
func testCard(t *testing.T, brand card.Brand, prefix string) string {
	t.Helper()
	for _, c := range acs.TestCards() {
		if c.Brand == brand && strings.HasPrefix(c.Outcome, prefix) {
			return c.Number
		}
	}
	t.Fatalf("no %s test card for %q", brand, prefix)
	return ""
}

func TestTestCardsAreValidNumbers(t *testing.T) {
	for _, c := range acs.TestCards() {
		n, err := card.ParseNumber(c.Number)
		if err != nil {
			t.Errorf("%s: %v", c.Number, err)
			continue
		}
		if n.Brand() != c.Brand {
			t.Errorf("%s: brand %s, documented %s", c.Number, n.Brand(), c.Brand)
		}
	}
}

func TestFrictionlessOutcomes(t *testing.T) {
	e := newEnv(t, func(_ *acs.Config, d *ds.Config) { d.ACSTimeout = 500 * time.Millisecond })
	tests := []struct {
		brand          card.Brand
		outcome        string
		status, reason string
		eci            string
		errCode        string
	}{
		{card.Visa, "Y", "Y", "", "05", ""},
		{card.Mastercard, "Y", "Y", "", "02", ""},
		{card.JCB, "Y", "Y", "", "05", ""},
		{card.Amex, "Y", "Y", "", "05", ""},
		{card.Visa, "A", "A", "", "06", ""},
		{card.Mastercard, "A", "A", "", "01", ""},
		{card.Visa, "N", "N", "01", "07", ""},
		{card.Visa, "R", "R", "11", "07", ""},
		{card.Mastercard, "U", "U", "22", "00", ""},
		{card.JCB, "I", "I", "", "", ""},
		{card.Visa, "C", "C", "", "", ""},
		{card.Visa, "no ARes", "", "", "", threeds.CodeTimeout},
	}
	for _, tc := range tests {
		t.Run(string(tc.brand)+"/"+tc.outcome, func(t *testing.T) {
			number := testCard(t, tc.brand, tc.outcome)
			areq := e.areq(number, "1000")
			ares, err := e.server.Authenticate(context.Background(), areq)
			if tc.errCode != "" {
				if threeds.ErrorCode(err) != tc.errCode {
					t.Fatalf("err = %v, want code %s", err, tc.errCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ares.TransStatus != tc.status || ares.TransStatusReason != tc.reason || ares.ECI != tc.eci {
				t.Fatalf("ARes %s/%s ECI %s, want %s/%s ECI %s", ares.TransStatus, ares.TransStatusReason, ares.ECI, tc.status, tc.reason, tc.eci)
			}
			if ares.DSTransID == "" || ares.ACSTransID == "" || ares.ThreeDSServerTransID != areq.ThreeDSServerTransID {
				t.Fatalf("ARes IDs %+v", ares.Header)
			}
			if tc.status != "Y" && tc.status != "A" {
				if ares.AuthenticationValue != "" {
					t.Fatal("CAVV without authentication")
				}
				return
			}
			d := issuersim.ThreeDSData{Last4: number[len(number)-4:], Amount: 1000, Currency: "392", ECI: ares.ECI, CAVV: ares.AuthenticationValue, DSTransactionID: ares.DSTransID}
			if code := e.acs.VerifyCAVV(context.Background(), d); code != "" {
				t.Fatalf("the issuer host rejects the ACS's CAVV: %s", code)
			}
			for name, bad := range map[string]func(*issuersim.ThreeDSData){
				"amount":   func(d *issuersim.ThreeDSData) { d.Amount++ },
				"currency": func(d *issuersim.ThreeDSData) { d.Currency = "840" },
				"ds id":    func(d *issuersim.ThreeDSData) { d.DSTransactionID = threeds.NewTransID() },
				"eci":      func(d *issuersim.ThreeDSData) { d.ECI = "07" },
				"no cavv":  func(d *issuersim.ThreeDSData) { d.CAVV = "" },
			} {
				c := d
				bad(&c)
				if code := e.acs.VerifyCAVV(context.Background(), c); code != "05" {
					t.Errorf("changed %s: issuer answer %q, want 05", name, code)
				}
			}
		})
	}
}

func TestOmise3DSFailureCards(t *testing.T) {
	e := newEnv(t, nil)
	for number, reason := range map[string]string{
		"4111111111150002": "13", "5555551111120002": "13", "3530111111100002": "13",
		"4111111111140003": "01", "5555551111110003": "01", "3530111111190003": "01",
	} {
		ares, err := e.server.Authenticate(context.Background(), e.areq(number, "1000"))
		if err != nil {
			t.Fatal(err)
		}
		if ares.TransStatus != "N" || ares.TransStatusReason != reason {
			t.Errorf("%s…: ARes %s/%s, want N/%s", number[:6], ares.TransStatus, ares.TransStatusReason, reason)
		}
	}
}

// challenge starts a challenge for the AReq and returns the ARes and the
// challenge page.
func (e *env) challenge(t *testing.T, areq *threeds.AReq) (*threeds.ARes, page) {
	t.Helper()
	ares, err := e.server.Authenticate(context.Background(), areq)
	if err != nil {
		t.Fatal(err)
	}
	if ares.TransStatus != "C" || ares.ACSURL == "" {
		t.Fatalf("ARes %s, want C with an acsURL", ares.TransStatus)
	}
	creq := &threeds.CReq{Header: threeds.Header{MessageVersion: ares.MessageVersion, ThreeDSServerTransID: ares.ThreeDSServerTransID, ACSTransID: ares.ACSTransID}, ChallengeWindowSize: threeds.Window390x400}
	v, err := threeds.EncodeBrowser(creq)
	if err != nil {
		t.Fatal(err)
	}
	p := e.post(t, ares.ACSURL, url.Values{"creq": {v}, "threeDSSessionData": {"c2Vzc2lvbg"}})
	if p.status != 200 || !strings.Contains(p.body, `name="otp"`) {
		t.Fatalf("challenge page %d: %s", p.status, p.body)
	}
	return ares, p
}

// answer submits the challenge form.
func (e *env) answer(t *testing.T, p page, otp, action string) page {
	t.Helper()
	return e.post(t, p.formAction(), url.Values{"page": {p.hidden("page")}, "otp": {otp}, "action": {action}})
}

// finalCRes checks that p posts the final CRes to the notification URL
// and returns it.
func (e *env) finalCRes(t *testing.T, p page) *threeds.CRes {
	t.Helper()
	if p.formAction() != e.notifURL {
		t.Fatalf("final page posts to %q, want the notificationURL; body %s", p.formAction(), p.body)
	}
	if !strings.Contains(p.body, "<noscript><button") {
		t.Fatal("the final page has no button for browsers without JavaScript")
	}
	if p.hidden("threeDSSessionData") != "c2Vzc2lvbg" {
		t.Fatalf("threeDSSessionData not echoed: %q", p.hidden("threeDSSessionData"))
	}
	cres, err := threeds.DecodeBrowserCRes(p.hidden("cres"))
	if err != nil {
		t.Fatal(err)
	}
	return cres
}

func TestChallengeWrongThenRightCode(t *testing.T) {
	e := newEnv(t, nil)
	areq := e.areq("4242424242424242", "1000") // a new device: challenge
	ares, p := e.challenge(t, areq)
	if ares.ACSChallengeMandated != "N" || ares.AuthenticationType != "02" {
		t.Fatalf("ARes C: mandated %q type %q", ares.ACSChallengeMandated, ares.AuthenticationType)
	}
	if !strings.Contains(p.body, "Test mode: the one-time password is <strong>123456</strong>") {
		t.Fatal("the test-mode page does not give the code")
	}
	csp := p.header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'nonce-", "form-action 'self'", "frame-ancestors 'self' https://127.0.0.1:"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(p.body, "<script") {
		t.Errorf("challenge page needs scripts or unsafe-inline: CSP %q", csp)
	}
	p = e.answer(t, p, "000000", "submit")
	if !strings.Contains(p.body, "The code is not correct. 2 tries left.") {
		t.Fatalf("after a wrong code: %s", p.body)
	}
	if len(e.received()) != 0 {
		t.Fatal("an RReq was sent before the challenge ended")
	}
	stale := p
	p = e.answer(t, p, "123456", "submit")
	// The RReq reached the 3DS Server before the browser got the CRes.
	rr := e.received()
	if len(rr) != 1 {
		t.Fatalf("%d RReqs when the CRes page was served, want 1", len(rr))
	}
	<-e.arrived
	cres := e.finalCRes(t, p)
	if cres.TransStatus != "Y" || cres.ACSTransID != ares.ACSTransID {
		t.Fatalf("CRes %+v", cres)
	}
	r := rr[0]
	if r.TransStatus != "Y" || r.ECI != "05" || r.InteractionCounter != "02" || r.DSTransID != ares.DSTransID {
		t.Fatalf("RReq %s ECI %s counter %s", r.TransStatus, r.ECI, r.InteractionCounter)
	}
	d := issuersim.ThreeDSData{Last4: "4242", Amount: 1000, Currency: "392", ECI: r.ECI, CAVV: r.AuthenticationValue, DSTransactionID: r.DSTransID}
	if code := e.acs.VerifyCAVV(context.Background(), d); code != "" {
		t.Fatalf("CAVV of the challenge rejected: %s", code)
	}
	// A double submit of the last form gets the same CRes, no new RReq.
	again := e.answer(t, stale, "123456", "submit")
	if c := e.finalCRes(t, again); c.TransStatus != "Y" {
		t.Fatalf("repeat: %+v", c)
	}
	if len(e.received()) != 1 {
		t.Fatal("a repeated answer sent another RReq")
	}
	// The device is now the cardholder's: the next purchase is frictionless.
	ares2, err := e.server.Authenticate(context.Background(), e.areq("4242424242424242", "2000"))
	if err != nil || ares2.TransStatus != "Y" {
		t.Fatalf("second purchase from the same browser: %v %+v", err, ares2)
	}
}

func TestChallengeCancel(t *testing.T) {
	e := newEnv(t, nil)
	_, p := e.challenge(t, e.areq("4242424242424242", "1000"))
	p = e.answer(t, p, "", "cancel")
	if c := e.finalCRes(t, p); c.TransStatus != "N" {
		t.Fatalf("CRes after cancel: %s", c.TransStatus)
	}
	r := e.waitRReq(t)
	if r.TransStatus != "N" || r.ChallengeCancel != "01" || r.ECI != "07" || r.AuthenticationValue != "" {
		t.Fatalf("RReq after cancel: %+v", r)
	}
}

func TestChallengeThreeWrongCodes(t *testing.T) {
	e := newEnv(t, nil)
	_, p := e.challenge(t, e.areq("4242424242424242", "1000"))
	for i := 0; i < 3; i++ {
		p = e.answer(t, p, "999999", "submit")
	}
	if c := e.finalCRes(t, p); c.TransStatus != "N" {
		t.Fatalf("CRes: %s", c.TransStatus)
	}
	r := e.waitRReq(t)
	if r.TransStatus != "N" || r.TransStatusReason != "19" || r.InteractionCounter != "03" {
		t.Fatalf("RReq: %s/%s counter %s", r.TransStatus, r.TransStatusReason, r.InteractionCounter)
	}
}

func TestLateCReq(t *testing.T) {
	e := newEnv(t, func(c *acs.Config, _ *ds.Config) { c.CReqTimeout = 300 * time.Millisecond })
	areq := e.areq("4242424242424242", "1000")
	ares, err := e.server.Authenticate(context.Background(), areq)
	if err != nil || ares.TransStatus != "C" {
		t.Fatalf("%v %+v", err, ares)
	}
	r := e.waitRReq(t) // the timer's RReq
	if r.TransStatus != "N" || r.TransStatusReason != "14" || r.ChallengeCancel != "05" {
		t.Fatalf("timeout RReq %s/%s cancel %s", r.TransStatus, r.TransStatusReason, r.ChallengeCancel)
	}
	creq := &threeds.CReq{Header: threeds.Header{MessageVersion: "2.2.0", ThreeDSServerTransID: ares.ThreeDSServerTransID, ACSTransID: ares.ACSTransID}, ChallengeWindowSize: "05"}
	v, _ := threeds.EncodeBrowser(creq)
	p := e.post(t, ares.ACSURL, url.Values{"creq": {v}})
	if p.formAction() != e.notifURL {
		t.Fatalf("late CReq answer does not post to the notificationURL: %s", p.body)
	}
	_, err = threeds.DecodeBrowserCRes(p.hidden("cres"))
	if threeds.ErrorCode(err) != threeds.CodeTimeout {
		t.Fatalf("late CReq: %v, want Erro 402", err)
	}
	if e2, ok := err.(*threeds.Error); !ok || e2.Erro == nil || e2.Erro.ErrorComponent != "A" {
		t.Fatalf("late CReq Erro %+v", err)
	}
	if len(e.received()) != 1 {
		t.Fatal("a late CReq sent another RReq")
	}
}

func TestChallengePageTimeout(t *testing.T) {
	e := newEnv(t, func(c *acs.Config, _ *ds.Config) { c.ChallengeTimeout = 300 * time.Millisecond })
	_, p := e.challenge(t, e.areq("4242424242424242", "1000"))
	r := e.waitRReq(t)
	if r.TransStatus != "N" || r.TransStatusReason != "14" || r.ChallengeCancel != "04" {
		t.Fatalf("RReq %s/%s cancel %s", r.TransStatus, r.TransStatusReason, r.ChallengeCancel)
	}
	// The abandoned page, submitted at last, ends with the final CRes N.
	p = e.answer(t, p, "123456", "submit")
	if c := e.finalCRes(t, p); c.TransStatus != "N" {
		t.Fatalf("CRes after timeout: %s", c.TransStatus)
	}
}

func TestRepeatedCReqShowsSamePage(t *testing.T) {
	e := newEnv(t, nil)
	ares, p := e.challenge(t, e.areq("4242424242424242", "1000"))
	creq := &threeds.CReq{Header: threeds.Header{MessageVersion: "2.2.0", ThreeDSServerTransID: ares.ThreeDSServerTransID, ACSTransID: ares.ACSTransID}, ChallengeWindowSize: "02"}
	v, _ := threeds.EncodeBrowser(creq)
	again := e.post(t, ares.ACSURL, url.Values{"creq": {v}, "threeDSSessionData": {"c2Vzc2lvbg"}})
	if again.hidden("page") != p.hidden("page") {
		t.Fatal("a refreshed CReq changed the page")
	}
	// A CReq for an unknown transaction or with a bad encoding: an error
	// page, 400, nothing posted.
	for _, bad := range []string{"%%%", ""} {
		q := e.post(t, ares.ACSURL, url.Values{"creq": {bad}})
		if q.status != 400 || q.formAction() != "" {
			t.Fatalf("bad creq %q: %d %s", bad, q.status, q.body)
		}
	}
	creq.ACSTransID = threeds.NewTransID()
	v, _ = threeds.EncodeBrowser(creq)
	if q := e.post(t, ares.ACSURL, url.Values{"creq": {v}}); q.status != 400 {
		t.Fatalf("unknown transaction: %d", q.status)
	}
}

func TestRiskRules(t *testing.T) {
	e := newEnv(t, nil)
	number := "5555555555554444"
	// Make the device known with a first challenge.
	_, p := e.challenge(t, e.areq(number, "1000"))
	e.finalCRes(t, e.answer(t, p, "123456", "submit"))
	e.waitRReq(t)
	e.acs.SetThreshold(card.MustParseNumber(number), "392", 5000)
	tests := []struct {
		name     string
		mod      func(*threeds.AReq)
		status   string
		mandated string
	}{
		{"low risk", func(*threeds.AReq) {}, "Y", ""},
		{"under the card's threshold", func(a *threeds.AReq) { a.PurchaseAmount = "5000" }, "Y", ""},
		{"above the card's threshold", func(a *threeds.AReq) { a.PurchaseAmount = "5001" }, "C", "N"},
		{"mandate 04", func(a *threeds.AReq) { a.ThreeDSRequestorChallengeInd = "04" }, "C", "Y"},
		{"preference 03", func(a *threeds.AReq) { a.ThreeDSRequestorChallengeInd = "03" }, "C", "N"},
		{"exemption 05", func(a *threeds.AReq) { a.ThreeDSRequestorChallengeInd = "05" }, "I", ""},
		{"ship elsewhere", func(a *threeds.AReq) { a.MerchantRiskIndicator = &threeds.MerchantRiskIndicator{ShipIndicator: "03"} }, "C", "N"},
		{"gift cards", func(a *threeds.AReq) { a.MerchantRiskIndicator = &threeds.MerchantRiskIndicator{GiftCardCount: "02"} }, "C", "N"},
		{"suspicious account", func(a *threeds.AReq) { a.AcctInfo = &threeds.AcctInfo{SuspiciousAccActivity: "02"} }, "C", "N"},
		{"new device", func(a *threeds.AReq) { a.BrowserUserAgent = "another-browser/2" }, "C", "N"},
		{"3RI", func(a *threeds.AReq) {
			a.DeviceChannel = threeds.Channel3RI
			a.ThreeRIInd = "01"
			a.NotificationURL = ""
			a.ThreeDSCompInd = ""
			a.BrowserInfo = threeds.BrowserInfo{}
		}, "U", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := e.areq(number, "1000")
			tc.mod(a)
			ares, err := e.server.Authenticate(context.Background(), a)
			if err != nil {
				t.Fatal(err)
			}
			if ares.TransStatus != tc.status || ares.ACSChallengeMandated != tc.mandated {
				t.Fatalf("ARes %s mandated %q, want %s %q", ares.TransStatus, ares.ACSChallengeMandated, tc.status, tc.mandated)
			}
		})
	}
}

func TestMethod(t *testing.T) {
	e := newEnv(t, nil)
	id := threeds.NewTransID()
	md := threeds.MethodData{ThreeDSServerTransID: id, ThreeDSMethodNotificationURL: e.notifURL + "/method"}
	p := e.post(t, e.acs.MethodURL(), url.Values{"threeDSMethodData": {md.Encode()}})
	if p.formAction() != e.notifURL+"/method" {
		t.Fatalf("method page posts to %q", p.formAction())
	}
	back, err := threeds.DecodeMethodData(p.hidden("threeDSMethodData"))
	if err != nil || back.ThreeDSServerTransID != id || back.ThreeDSMethodNotificationURL != "" {
		t.Fatalf("method data posted back: %+v %v", back, err)
	}
	if !e.acs.MethodRan(id) {
		t.Fatal("the ACS did not note the method")
	}
	if q := e.post(t, e.acs.MethodURL(), url.Values{"threeDSMethodData": {"bm90IGpzb24"}}); q.status != 400 {
		t.Fatalf("bad method data: %d", q.status)
	}
}

// TestDocumentedTestCards checks that docs/threeds.md lists every test card.
func TestDocumentedTestCards(t *testing.T) {
	b, err := os.ReadFile("../../docs/threeds.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range acs.TestCards() {
		if !strings.Contains(string(b), c.Number) {
			t.Errorf("docs/threeds.md does not list %s (%s)", c.Number, c.Outcome)
		}
	}
}

// TestBadCReqForKnownTransaction: a CReq that names a known transaction
// but is invalid gets its Erro posted to the notificationURL.
func TestBadCReqForKnownTransaction(t *testing.T) {
	e := newEnv(t, nil)
	ares, err := e.server.Authenticate(context.Background(), e.areq("4000000000002008", "1000"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, code, element string
		creq                *threeds.CReq
		session             string
	}{
		{"missing window size", "201", "challengeWindowSize", &threeds.CReq{Header: threeds.Header{MessageVersion: "2.2.0", ThreeDSServerTransID: ares.ThreeDSServerTransID, ACSTransID: ares.ACSTransID}}, ""},
		{"version changed", "203", "messageVersion", &threeds.CReq{Header: threeds.Header{MessageVersion: "2.1.0", ThreeDSServerTransID: ares.ThreeDSServerTransID, ACSTransID: ares.ACSTransID}, ChallengeWindowSize: "01"}, ""},
		{"session data too long", "203", "threeDSSessionData", &threeds.CReq{Header: threeds.Header{MessageVersion: "2.2.0", ThreeDSServerTransID: ares.ThreeDSServerTransID, ACSTransID: ares.ACSTransID}, ChallengeWindowSize: "01"}, strings.Repeat("a", 1025)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, _ := threeds.EncodeBrowser(tc.creq)
			p := e.post(t, ares.ACSURL, url.Values{"creq": {v}, "threeDSSessionData": {tc.session}})
			if p.formAction() != e.notifURL {
				t.Fatalf("not posted to the notificationURL: %s", p.body)
			}
			_, err := threeds.DecodeBrowserCRes(p.hidden("cres"))
			terr, ok := err.(*threeds.Error)
			if !ok || terr.Code != tc.code || terr.Element != tc.element || terr.Erro == nil {
				t.Fatalf("posted %v, want Erro %s on %s", err, tc.code, tc.element)
			}
		})
	}
	// The transaction is still waiting for a good CReq.
	creq := &threeds.CReq{Header: threeds.Header{MessageVersion: "2.2.0", ThreeDSServerTransID: ares.ThreeDSServerTransID, ACSTransID: ares.ACSTransID}, ChallengeWindowSize: "01"}
	v, _ := threeds.EncodeBrowser(creq)
	if p := e.post(t, ares.ACSURL, url.Values{"creq": {v}}); !strings.Contains(p.body, `name="otp"`) {
		t.Fatalf("good CReq after bad ones: %s", p.body)
	}
}

// TestLogsHoldNoCardData runs authentications with the DS's and the
// ACS's logs captured and checks that no card number, CAVV or code
// appears in them.
func TestLogsHoldNoCardData(t *testing.T) {
	var buf syncBuffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := newEnv(t, func(a *acs.Config, d *ds.Config) { a.Logger, d.Logger = log, log })
	var secrets []string
	for _, n := range []string{"4000000000001000", "4000000000003006", "4242424242424242"} {
		ares, err := e.server.Authenticate(context.Background(), e.areq(n, "1000"))
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, n)
		if ares.AuthenticationValue != "" {
			secrets = append(secrets, ares.AuthenticationValue)
		}
	}
	_, p := e.challenge(t, e.areq("5555555555554444", "1000"))
	e.finalCRes(t, e.answer(t, p, "123456", "submit"))
	secrets = append(secrets, "5555555555554444", e.waitRReq(t).AuthenticationValue)
	// Errors are logged too: a bad AReq.
	bad := e.areq("4111111111111111", "1000")
	bad.MerchantName = ""
	e.server.Authenticate(context.Background(), bad)
	secrets = append(secrets, "4111111111111111")
	out := buf.String()
	if !strings.Contains(out, "acs decision") || !strings.Contains(out, "card=400000******1000") {
		t.Fatalf("nothing logged: %q", out)
	}
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("the log holds %s…", s[:6])
		}
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
