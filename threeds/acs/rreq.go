package acs

import (
	"context"
	"fmt"
	"time"

	"github.com/kessai/kessai/threeds"
)

// maxRReqAttempts bounds the retries of an undelivered RReq.
const maxRReqAttempts = 30

// finishLocked makes the result of a challenged transaction final and
// returns its RReq. The caller holds t.mu.
func (a *ACS) finishLocked(t *txn, status, reason, cancel string) *threeds.RReq {
	if t.timer != nil {
		t.timer.Stop()
	}
	t.state = done
	r := &threeds.RReq{
		Header:             t.ids,
		MessageCategory:    t.category,
		TransStatus:        status,
		TransStatusReason:  reason,
		ChallengeCancel:    cancel,
		AuthenticationType: "02",
		InteractionCounter: fmt.Sprintf("%02d", min(t.tries, 99)),
	}
	r.MessageType = threeds.TypeRReq
	r.ECI, r.AuthenticationValue = a.proof(t, status)
	if status == threeds.StatusAuthenticated {
		a.rememberDevice(t.cardKey, t.device)
	}
	t.rreq = r
	return r
}

// sendRReq delivers the RReq to the DS: one attempt now, and when it
// fails, more in the background every RReqRetry (until delivered, the
// ACS closes, or maxRReqAttempts). It reports whether the first attempt
// succeeded.
func (a *ACS) sendRReq(t *txn, r *threeds.RReq) bool {
	if err := a.postRReq(r, t.dsURL); err == nil {
		return true
	} else {
		a.cfg.Logger.Warn("acs rreq not delivered; retrying", "acs_trans_id", t.ids.ACSTransID, "code", threeds.ErrorCode(err), "error", err)
		if e, ok := err.(*threeds.Error); ok && e.Erro != nil {
			return false // the DS or the 3DS Server refused it: retrying will not help
		}
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		for i := 1; i < maxRReqAttempts; i++ {
			select {
			case <-a.ctx.Done():
				return
			case <-time.After(a.cfg.RReqRetry):
			}
			err := a.postRReq(r, t.dsURL)
			if err == nil {
				return
			}
			if e, ok := err.(*threeds.Error); ok && e.Erro != nil {
				a.cfg.Logger.Warn("acs rreq refused", "acs_trans_id", t.ids.ACSTransID, "code", e.Code)
				return
			}
		}
	}()
	return false
}

// postRReq sends one RReq and checks the RRes.
func (a *ACS) postRReq(r *threeds.RReq, dsURL string) error {
	ctx, cancel := context.WithTimeout(a.ctx, a.cfg.RReqTimeout)
	defer cancel()
	var rres threeds.RRes
	if err := threeds.Post(ctx, a.cfg.Client, dsURL, r, &rres); err != nil {
		return err
	}
	if rres.ACSTransID != r.ACSTransID || rres.DSTransID != r.DSTransID {
		return threeds.Errorf(threeds.CodeTransIDNotRecognised, "acsTransID", "The RRes answers another transaction.")
	}
	return nil
}
