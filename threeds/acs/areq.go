package acs

import (
	"net/http"
	"strconv"
	"time"

	"github.com/kessai/kessai/card"
	"github.com/kessai/kessai/threeds"
)

// serveAReq answers an AReq from the DS with an ARes, or an Erro
// (component A): 303 without a verified client certificate, the
// decoders' codes for a bad AReq.
func (a *ACS) serveAReq(w http.ResponseWriter, r *http.Request) {
	m, err := threeds.ReadMessage(r)
	if err == nil && (r.TLS == nil || len(r.TLS.VerifiedChains) == 0) {
		err = threeds.Errorf(threeds.CodeAccessDenied, "", "A verified client certificate is required.")
	}
	var areq *threeds.AReq
	if err == nil {
		var ok bool
		if areq, ok = m.(*threeds.AReq); !ok {
			err = threeds.Errorf(threeds.CodeMessageNotRecognised, "messageType", "The ACS accepts only AReq here.")
		}
	}
	if err == nil {
		err = areq.ValidateFromDS()
	}
	if err != nil {
		var h *threeds.Header
		typ := ""
		if m != nil {
			h, typ = m.Head(), m.Type()
		}
		a.cfg.Logger.Info("acs erro", "code", threeds.ErrorCode(err), "error", err)
		threeds.WriteMessage(w, threeds.NewErro(h, typ, threeds.ComponentACS, err))
		return
	}
	ares, silent := a.authenticate(areq)
	if silent {
		// Test card 800: the ACS never answers, the DS times out.
		select {
		case <-r.Context().Done():
		case <-a.ctx.Done():
		case <-time.After(time.Minute):
		}
		return
	}
	threeds.WriteMessage(w, ares)
}

// authenticate decides an AReq and returns the ARes (the same one for a
// repeated AReq), or true when the ACS must not answer.
func (a *ACS) authenticate(m *threeds.AReq) (*threeds.ARes, bool) {
	a.mu.Lock()
	prev := a.byDS[m.DSTransID]
	a.mu.Unlock()
	if prev != nil && prev.ids.ThreeDSServerTransID == m.ThreeDSServerTransID {
		prev.mu.Lock()
		defer prev.mu.Unlock()
		return prev.ares, false
	}
	number := string(m.AcctNumber)
	t := &txn{
		ids:             m.IDs(),
		category:        m.MessageCategory,
		dsURL:           m.DSURL,
		notificationURL: m.NotificationURL,
		merchant:        m.MerchantName,
		currency:        m.PurchaseCurrency,
		last4:           m.AcctNumber.Last4(),
		brand:           card.BrandOf(number),
		cardKey:         a.cardKey(number),
		device:          a.deviceOf(m),
		created:         a.now(),
	}
	t.ids.ACSTransID = threeds.NewTransID()
	t.amount, _ = strconv.ParseInt(m.PurchaseAmount, 10, 64)
	t.exponent, _ = strconv.Atoi(m.PurchaseExponent)
	d := a.decide(m, t.cardKey, t.device)
	a.cfg.Logger.Info("acs decision", "acs_trans_id", t.ids.ACSTransID, "card", m.AcctNumber, "status", d.status, "reason", d.reason, "why", d.why)
	if d.silent {
		return nil, true
	}
	ares := &threeds.ARes{
		Header:             t.ids,
		ACSReferenceNumber: a.cfg.ReferenceNumber,
		DSReferenceNumber:  m.DSReferenceNumber,
		TransStatus:        d.status,
		TransStatusReason:  d.reason,
	}
	ares.MessageType = threeds.TypeARes
	ares.ECI, ares.AuthenticationValue = a.proof(t, d.status)
	if d.status == threeds.StatusAuthenticated {
		a.rememberDevice(t.cardKey, t.device)
	}
	// The timer's goroutine reads t: set it up under t's lock.
	t.mu.Lock()
	defer t.mu.Unlock()
	if d.status == threeds.StatusChallenge {
		ares.ACSURL = a.ChallengeURL()
		ares.ACSChallengeMandated = "N"
		if d.mandated {
			ares.ACSChallengeMandated = "Y"
		}
		ares.AuthenticationType = "02" // dynamic: a one-time password
		t.state = awaitingCReq
		t.deadline = t.created.Add(a.cfg.CReqTimeout)
		t.timer = time.AfterFunc(a.cfg.CReqTimeout, func() { a.expire(t, awaitingCReq) })
	} else {
		t.state = done
	}
	t.ares = ares
	a.keep(t)
	return ares, false
}

// expire ends a transaction still in state (its timer fired): N with
// reason 14 (timed out at the ACS), challengeCancel 05 when the first
// CReq never came, 04 when the challenge page was left.
func (a *ACS) expire(t *txn, state int) {
	t.mu.Lock()
	if t.state != state || a.now().Before(t.deadline) {
		t.mu.Unlock()
		return
	}
	cancel := threeds.CancelACSTimeout
	if state == awaitingCReq {
		cancel = threeds.CancelNoCReq
		t.lateCReq = true
	}
	rreq := a.finishLocked(t, threeds.StatusNotAuthed, "14", cancel)
	t.mu.Unlock()
	a.cfg.Logger.Info("acs challenge timed out", "acs_trans_id", t.ids.ACSTransID, "challenge_cancel", cancel)
	a.sendRReq(t, rreq)
}
