package acs

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/kessai/kessai/threeds"
)

// serveCReq receives the CReq posted through the browser (form fields
// creq and threeDSSessionData) and shows the challenge page. A CReq for a
// transaction already in challenge shows the page again (refresh, back
// button); one for a finished transaction gets the final CRes again; one
// after the 30 s limit gets an Erro 402 posted to the notificationURL,
// as does a CReq that does not match its transaction. A CReq that names
// no known transaction gets an error page: there is nobody to post to.
func (a *ACS) serveCReq(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	creq, err := threeds.DecodeBrowserCReq(r.PostFormValue("creq"))
	session := r.PostFormValue("threeDSSessionData")
	var t *txn
	if creq != nil {
		t = a.lookup(creq.ACSTransID)
	}
	if t == nil {
		msg := "This verification is not known to the card company."
		if err != nil {
			msg = "The verification request is not valid (error " + threeds.ErrorCode(err) + ")."
		}
		errorPage(w, http.StatusBadRequest, msg)
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case creq.ThreeDSServerTransID != t.ids.ThreeDSServerTransID:
		// Another requestor's ID: do not post anything to this one's URL.
		errorPage(w, http.StatusBadRequest, "This verification is not known to the card company.")
		return
	case err != nil:
	case creq.MessageVersion != t.ids.MessageVersion:
		err = threeds.Errorf(threeds.CodeInvalidFormat, "messageVersion", "The message version changed within the transaction.")
	case len(session) > threeds.MaxSessionData:
		err = threeds.Errorf(threeds.CodeInvalidFormat, "threeDSSessionData", "threeDSSessionData is too long.")
	}
	if err != nil {
		a.postErro(w, t, session, err)
		return
	}
	if t.state == awaitingCReq && !a.now().Before(t.deadline) {
		// The timer has not fired yet, but the CReq is late all the same.
		t.lateCReq = true
		rreq := a.finishLocked(t, threeds.StatusNotAuthed, "14", threeds.CancelNoCReq)
		t.mu.Unlock()
		a.sendRReq(t, rreq)
		t.mu.Lock()
	}
	switch {
	case t.state == done && t.lateCReq:
		a.postErro(w, t, session, threeds.Errorf(threeds.CodeTimeout, "", "The challenge request came after the time limit."))
	case t.state == done:
		a.postCRes(w, t)
	case t.state == awaitingCReq:
		t.state = challenging
		t.sessionData = session
		t.page = nonce()
		a.armPageTimer(t)
		a.showChallenge(w, t)
	default: // challenging: the same page again
		a.showChallenge(w, t)
	}
}

// serveAnswer receives the challenge form: a code or a cancel.
func (a *ACS) serveAnswer(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	t := a.lookup(r.PathValue("id"))
	if t == nil {
		errorPage(w, http.StatusNotFound, "This verification is not known to the card company.")
		return
	}
	if err := r.ParseForm(); err != nil {
		errorPage(w, http.StatusBadRequest, "The form could not be read.")
		return
	}
	t.mu.Lock()
	var rreq *threeds.RReq
	switch {
	case t.state == awaitingCReq:
		t.mu.Unlock()
		errorPage(w, http.StatusBadRequest, "This verification has not started.")
		return
	case t.state == done:
	case r.PostFormValue("page") != t.page:
		// A stale page (double submit, back button): show the current
		// state without counting the answer.
	case r.PostFormValue("action") == "cancel":
		rreq = a.finishLocked(t, threeds.StatusNotAuthed, "01", threeds.CancelByCardholder)
	default:
		t.tries++
		code := strings.TrimSpace(r.PostFormValue("otp"))
		if subtle.ConstantTimeCompare([]byte(code), []byte(a.otp(t))) == 1 {
			rreq = a.finishLocked(t, threeds.StatusAuthenticated, "", "")
		} else if t.tries >= a.cfg.MaxTries {
			rreq = a.finishLocked(t, threeds.StatusNotAuthed, "19", "")
		} else {
			t.errorText = fmt.Sprintf("The code is not correct. %d tries left.", a.cfg.MaxTries-t.tries)
			t.page = nonce()
			a.armPageTimer(t)
		}
	}
	t.mu.Unlock()
	if rreq != nil {
		// The RReq (authoritative) goes to the DS before the CRes goes
		// through the browser.
		a.sendRReq(t, rreq)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state == done {
		a.postCRes(w, t)
		return
	}
	a.showChallenge(w, t)
}

// otp returns the code the cardholder must enter.
func (a *ACS) otp(t *txn) string {
	if a.cfg.TestMode {
		return TestOTP
	}
	// No way to send a code: a value no one can know.
	return a.mac("otp", t.ids.ACSTransID, nonce())
}

// armPageTimer (re)starts the challenge page's 10-minute timer. The
// caller holds t.mu.
func (a *ACS) armPageTimer(t *txn) {
	if t.timer != nil {
		t.timer.Stop()
	}
	t.deadline = a.now().Add(a.cfg.ChallengeTimeout)
	t.timer = time.AfterFunc(a.cfg.ChallengeTimeout, func() { a.expire(t, challenging) })
}

// showChallenge renders the challenge page. The caller holds t.mu.
func (a *ACS) showChallenge(w http.ResponseWriter, t *txn) {
	render(w, http.StatusOK, "challenge", map[string]any{
		"Title":     "Confirm your purchase",
		"Merchant":  t.merchant,
		"Amount":    formatAmount(t.amount, t.exponent, t.currency),
		"Last4":     t.last4,
		"TestMode":  a.cfg.TestMode,
		"OTP":       TestOTP,
		"Error":     t.errorText,
		"Page":      t.page,
		"TriesLeft": a.cfg.MaxTries - t.tries,
		"Action":    a.ChallengeURL() + "/" + t.ids.ACSTransID,
	}, "", origin(t.notificationURL))
}

// postCRes renders the page that posts the final CRes to the
// notificationURL. The caller holds t.mu.
func (a *ACS) postCRes(w http.ResponseWriter, t *txn) {
	cres := &threeds.CRes{Header: t.ids, TransStatus: t.rreq.TransStatus}
	if cres.TransStatus != threeds.StatusAuthenticated {
		cres.TransStatus = threeds.StatusNotAuthed
	}
	if t.ids.MessageVersion == threeds.Version210 {
		cres.ChallengeCompletionInd = "Y"
	}
	v, _ := threeds.EncodeBrowser(cres) // cannot fail: strings only
	a.postToRequestor(w, t, t.sessionData, v, "Returning to the merchant…")
}

// postErro renders the page that posts an Erro to the notificationURL in
// place of the CRes (field cres). The caller holds t.mu.
func (a *ACS) postErro(w http.ResponseWriter, t *txn, session string, err error) {
	a.cfg.Logger.Info("acs creq erro", "acs_trans_id", t.ids.ACSTransID, "code", threeds.ErrorCode(err), "error", err)
	e := threeds.NewErro(&t.ids, threeds.TypeCReq, threeds.ComponentACS, err)
	v, _ := threeds.EncodeBrowser(e)
	if len(session) > threeds.MaxSessionData {
		session = ""
	}
	a.postToRequestor(w, t, session, v, "The verification could not continue. Returning to the merchant…")
}

func (a *ACS) postToRequestor(w http.ResponseWriter, t *txn, session, cres, message string) {
	fields := []field{{"cres", cres}}
	if session != "" {
		fields = append(fields, field{"threeDSSessionData", session})
	}
	render(w, http.StatusOK, "post", map[string]any{
		"Title": "Returning to the merchant", "Message": message,
		"Target": t.notificationURL, "Fields": fields,
	}, origin(t.notificationURL), origin(t.notificationURL))
}

// formatAmount writes a minor-unit amount with its exponent and the
// currency's alphabetic code when known.
func formatAmount(amount int64, exp int, currency string) string {
	names := map[string]string{"392": "JPY", "840": "USD", "978": "EUR", "764": "THB", "826": "GBP", "702": "SGD"}
	name := names[currency]
	if name == "" {
		name = currency
	}
	if exp <= 0 {
		return fmt.Sprintf("%d %s", amount, name)
	}
	p := int64(1)
	for range exp {
		p *= 10
	}
	return fmt.Sprintf("%d.%0*d %s", amount/p, exp, amount%p, name)
}
