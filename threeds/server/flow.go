package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/iso8583msg"
	"github.com/kessai/kessai/threeds"
)

// maxForm bounds the browser's form posts.
const maxForm = 16 << 10

// again sends the browser back to the page of the current state (after a
// POST, or when a callback finds the step already taken).
func (s *Server) again(w http.ResponseWriter, r *http.Request, a *kessai.Authentication) {
	http.Redirect(w, r, s.pageURL(a, "authorize"), http.StatusSeeOther)
}

// postAuthorize takes the browser's data and sends the AReq. Only the
// request that stores threeDSCompInd sends it: a double submit, a refresh
// or the back button lands on the page of the state reached.
func (s *Server) postAuthorize(w http.ResponseWriter, r *http.Request) {
	a := s.load(w, r)
	if a == nil {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		s.render(w, http.StatusBadRequest, &page{Kind: "error", Title: "Please try again", Message: "The form could not be read.", Next: s.pageURL(a, "authorize")})
		return
	}
	if (a.State != kessai.AuthPending && a.State != kessai.AuthMethodPending) || a.CompInd != "" {
		s.again(w, r, a)
		return
	}
	ctx := context.WithoutCancel(r.Context())
	a.CompInd = "U"
	if a.MethodURL != "" {
		a.CompInd = "N"
		if a.MethodDone {
			a.CompInd = "Y"
		}
	}
	if err := s.cfg.Payments.SaveAuthentication(ctx, a); err != nil {
		if isConflict(err) {
			s.again(w, r, a)
			return
		}
		s.failPage(w, err)
		return
	}
	if err := s.authenticate(ctx, a, browserInfo(r)); err != nil && !isConflict(err) {
		s.failPage(w, err)
		return
	}
	s.again(w, r, a)
}

// authenticate sends the AReq of a and stores the answer: a challenge is
// stored as challenge_required, any other answer (or a failure) finishes
// the authentication and settles the charge.
func (s *Server) authenticate(ctx context.Context, a *kessai.Authentication, bi threeds.BrowserInfo) error {
	ch, err := s.cfg.Payments.AuthenticationCharge(ctx, a)
	if err != nil {
		return err
	}
	c, err := s.cfg.Payments.AuthenticationCard(ctx, a)
	if err != nil {
		return err
	}
	areq := s.newAReq(a, ch, c, bi)
	var ares threeds.ARes
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	err = s.cfg.Directory.Send(sctx, areq, &ares)
	cancel()
	msgs := []*kessai.AuthenticationMessage{message(a, areq, false)}
	if err == nil {
		msgs = append(msgs, message(a, &ares, true))
		err = ares.ValidateFor(areq)
	}
	if err != nil {
		if e, ok := asErro(err); ok {
			msgs = append(msgs, message(a, e, true))
		}
		a.State, a.ErrorCode, a.ErrorDetail = kessai.AuthError, threeds.ErrorCode(err), clipText(err.Error())
		_, ferr := s.cfg.Payments.FinishAuthentication(ctx, a, msgs...)
		return ferr
	}
	a.MessageVersion, a.DSTransID, a.ACSTransID = ares.MessageVersion, ares.DSTransID, ares.ACSTransID
	a.TransStatus, a.TransStatusReason = ares.TransStatus, ares.TransStatusReason
	if ares.TransStatus == threeds.StatusChallenge {
		a.State, a.Flow, a.ACSURL = kessai.AuthChallengeRequired, "challenge", ares.ACSURL
		a.Deadline = time.Now().Add(s.cfg.FirstCReqTimeout)
		return s.cfg.Payments.SaveAuthentication(ctx, a, msgs...)
	}
	a.Flow = "frictionless"
	a.State = kessai.StateOfTransStatus(ares.TransStatus)
	if ares.TransStatus == threeds.StatusDecoupled {
		// Never asked for (threeDSRequestorDecReqInd is not sent).
		a.State, a.ErrorDetail = kessai.AuthError, "decoupled authentication was not requested"
	}
	a.ECI, a.CAVV = ares.ECI, kessai.Secret(ares.AuthenticationValue)
	_, err = s.cfg.Payments.FinishAuthentication(ctx, a, msgs...)
	return err
}

// newAReq builds the browser AReq of a payment authentication.
func (s *Server) newAReq(a *kessai.Authentication, ch *kessai.Charge, c *kessai.AuthenticationCard, bi threeds.BrowserInfo) *threeds.AReq {
	cur, _ := iso8583msg.CurrencyNumeric(ch.Currency)
	areq := &threeds.AReq{
		Header:                            threeds.Header{MessageVersion: threeds.Version220, ThreeDSServerTransID: a.ServerTransID},
		ThreeDSCompInd:                    a.CompInd,
		ThreeDSRequestorAuthenticationInd: "01",
		ThreeDSRequestorChallengeInd:      "01",
		ThreeDSRequestorID:                s.cfg.RequestorID,
		ThreeDSRequestorName:              s.cfg.RequestorName,
		ThreeDSRequestorURL:               s.cfg.RequestorURL,
		ThreeDSServerRefNumber:            s.cfg.ServerRefNumber,
		ThreeDSServerURL:                  s.cfg.ResultsURL,
		AcquirerBIN:                       s.cfg.AcquirerBIN,
		AcquirerMerchantID:                clip(ch.AccountID, 35),
		AcctNumber:                        threeds.AcctNumber(c.Number.Reveal()),
		CardExpiryDate:                    expiry(c.ExpirationYear, c.ExpirationMonth),
		BrowserInfo:                       bi,
		DeviceChannel:                     threeds.ChannelBrowser,
		MCC:                               s.cfg.MCC,
		MerchantCountryCode:               s.cfg.MerchantCountry,
		MerchantName:                      clip(s.cfg.RequestorName, 40),
		MessageCategory:                   threeds.CategoryPayment,
		NotificationURL:                   s.pageURL(a, "notify"),
		PurchaseAmount:                    strconv.FormatInt(ch.Amount, 10),
		PurchaseCurrency:                  cur,
		PurchaseExponent:                  strconv.Itoa(kessai.CurrencyExponent(ch.Currency)),
		PurchaseDate:                      ch.CreatedAt.UTC().Format("20060102150405"),
		TransType:                         "01",
	}
	if n := c.Name; len(n) >= 2 && len(n) <= 45 {
		areq.CardholderName = n
	}
	return areq
}

func expiry(year, month int) string {
	return strconv.Itoa(year%100/10) + strconv.Itoa(year%10) + strconv.Itoa(month/10) + strconv.Itoa(month%10)
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func clipText(s string) string {
	if len(s) > 500 {
		return s[:500]
	}
	return s
}

// asErro returns the Erro an error carries.
func asErro(err error) (*threeds.Erro, bool) {
	e, ok := err.(*threeds.Error)
	if !ok || e.Erro == nil {
		return nil, false
	}
	return e.Erro, true
}

// message returns m as evidence: its JSON with the card number masked and
// the authentication value removed.
func message(a *kessai.Authentication, m threeds.Message, inbound bool) *kessai.AuthenticationMessage {
	m.Head().MessageType = m.Type()
	var body []byte
	switch v := m.(type) {
	case *threeds.AReq:
		c := *v
		c.AcctNumber = threeds.AcctNumber(v.AcctNumber.Masked())
		body, _ = json.Marshal(&c)
	case *threeds.ARes:
		c := *v
		if c.AuthenticationValue != "" {
			c.AuthenticationValue = "[sealed]"
		}
		body, _ = json.Marshal(&c)
	case *threeds.RReq:
		c := *v
		if c.AuthenticationValue != "" {
			c.AuthenticationValue = "[sealed]"
		}
		body, _ = json.Marshal(&c)
	default:
		body, _ = json.Marshal(m)
	}
	return &kessai.AuthenticationMessage{AuthenticationID: a.ID, Type: m.Type(), Inbound: inbound, Body: body}
}

// methodNotification receives the ACS's 3DS Method notification (in the
// hidden iframe). It marks the method done when it came in time, and
// answers a page that tells the parent page so.
func (s *Server) methodNotification(w http.ResponseWriter, r *http.Request) {
	a := s.load(w, r)
	if a == nil {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	md, err := threeds.DecodeMethodData(r.PostFormValue("threeDSMethodData"))
	done := &page{Kind: "method-done", Title: "Done"}
	if err != nil || md.ThreeDSServerTransID != a.ServerTransID {
		s.render(w, http.StatusBadRequest, done)
		return
	}
	if a.State == kessai.AuthMethodPending && !a.MethodDone && a.CompInd == "" &&
		time.Since(a.UpdatedAt) <= s.cfg.MethodTimeout {
		a.MethodDone = true
		body, _ := json.Marshal(md)
		err := s.cfg.Payments.SaveAuthentication(r.Context(), a, &kessai.AuthenticationMessage{AuthenticationID: a.ID, Type: "Method", Inbound: true, Body: body})
		if err != nil && !isConflict(err) {
			s.log.Warn("threeds: method notification", "authentication", a.ID, "err", err)
		}
	}
	s.render(w, http.StatusOK, done)
}

// notification receives the final CRes through the browser (in the
// challenge iframe). The CRes only says that the challenge ended: the
// result is the RReq's. If the RReq is not in yet, the authentication
// waits for it. The answer is a page that takes the whole window to the
// authorize page (by script, or by a link without it).
func (s *Server) notification(w http.ResponseWriter, r *http.Request) {
	a := s.load(w, r)
	if a == nil {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	next := &page{Kind: "breakout", Title: "Returning…", Next: s.pageURL(a, "authorize")}
	if sid := r.PostFormValue("threeDSSessionData"); sid != "" && sessionID(sid) != a.ID {
		s.render(w, http.StatusBadRequest, next)
		return
	}
	cres, err := threeds.DecodeBrowserCRes(r.PostFormValue("cres"))
	if err == nil && (cres.ThreeDSServerTransID != a.ServerTransID || cres.ACSTransID != a.ACSTransID) {
		err = threeds.Errorf(threeds.CodeTransIDNotRecognised, "threeDSServerTransID", "The transaction ID is not known.")
	}
	ctx := context.WithoutCancel(r.Context())
	if a.State == kessai.AuthInChallenge || a.State == kessai.AuthChallengeRequired {
		switch {
		case err != nil:
			// An Erro posted in place of the CRes, or garbage: the
			// ACS's RReq (or the sweeper) still decides.
			if e, ok := asErro(err); ok {
				s.cfg.Payments.SaveAuthentication(ctx, a, message(a, e, true))
			}
		case a.TransStatus == threeds.StatusChallenge:
			a.TransStatus = cres.TransStatus
			if err := s.cfg.Payments.SaveAuthentication(ctx, a, message(a, cres, true)); err != nil && !isConflict(err) {
				s.log.Warn("threeds: CRes", "authentication", a.ID, "err", err)
			}
		}
	}
	s.render(w, http.StatusOK, next)
}

// ResultsHandler returns the handler of the RReqs the DS relays
// (threeDSServerURL); serve it on the mutual-TLS listener. The RReq is
// authoritative: it finishes the authentication and settles the charge
// (an authorization with its ECI and CAVV) before the RRes goes back. A
// repeated RReq for a finished authentication changes nothing and gets the
// same RRes; an RReq for an unknown transaction, or for one that was
// frictionless, gets an Erro.
func (s *Server) ResultsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		m, err := threeds.ReadMessage(r)
		if err != nil {
			threeds.WriteMessage(w, threeds.NewErro(nil, "", threeds.ComponentServer, err))
			return
		}
		rreq, ok := m.(*threeds.RReq)
		if !ok {
			threeds.WriteMessage(w, threeds.NewErro(m.Head(), m.Type(), threeds.ComponentServer,
				threeds.Errorf(threeds.CodeMessageNotRecognised, "messageType", "The 3DS Server takes only RReq here.")))
			return
		}
		rres, err := s.results(context.WithoutCancel(r.Context()), rreq)
		if err != nil {
			threeds.WriteMessage(w, threeds.NewErro(rreq.Head(), threeds.TypeRReq, threeds.ComponentServer, err))
			return
		}
		threeds.WriteMessage(w, rres)
	})
}

// results applies an RReq and returns the RRes.
func (s *Server) results(ctx context.Context, rreq *threeds.RReq) (*threeds.RRes, error) {
	unknown := threeds.Errorf(threeds.CodeTransIDNotRecognised, "threeDSServerTransID", "The transaction is not known to the 3DS Server.")
	rres := &threeds.RRes{Header: rreq.Head().IDs(), ResultsStatus: threeds.ResultsReceived}
	for range 3 {
		a, err := s.cfg.Payments.FindAuthenticationByTransID(ctx, rreq.ThreeDSServerTransID)
		if kessai.ErrorCode(err) == kessai.ENotFound {
			return nil, unknown
		}
		if err != nil {
			return nil, err
		}
		switch {
		case a.DSTransID != rreq.DSTransID || a.ACSTransID != rreq.ACSTransID:
			return nil, unknown
		case a.Flow != "challenge":
			return nil, threeds.Errorf(threeds.CodeTransactionDataInvalid, "transStatus", "No challenge was asked for in this transaction.")
		case a.State.Final():
			// A repeat: already applied.
			return rres, nil
		}
		a.State = kessai.StateOfTransStatus(rreq.TransStatus)
		a.TransStatus, a.TransStatusReason, a.ChallengeCancel = rreq.TransStatus, rreq.TransStatusReason, rreq.ChallengeCancel
		a.ECI, a.CAVV = rreq.ECI, kessai.Secret(rreq.AuthenticationValue)
		_, err = s.cfg.Payments.FinishAuthentication(ctx, a, message(a, rreq, true), message(a, rres, false))
		if err == nil {
			return rres, nil
		}
		if !isConflict(err) {
			return nil, err
		}
	}
	return nil, threeds.Errorf(threeds.CodeTransientFailure, "", "Transient system failure.")
}
