package ds

import (
	"context"

	"github.com/kessai/kessai/threeds"
)

// results relays an RReq to the 3DS Server of its transaction and
// returns the RRes, or an error to answer the ACS with.
func (s *Server) results(ctx context.Context, m *threeds.RReq) (*threeds.RRes, error) {
	t := s.lookup(m.DSTransID)
	if t == nil {
		return nil, threeds.Errorf(threeds.CodeTransIDNotRecognised, "dsTransID", "The transaction is not known to the DS.")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case m.ThreeDSServerTransID != t.serverID:
		return nil, threeds.Errorf(threeds.CodeTransIDNotRecognised, "threeDSServerTransID", "The transaction IDs do not match.")
	case m.ACSTransID != t.acsID:
		return nil, threeds.Errorf(threeds.CodeTransIDNotRecognised, "acsTransID", "The transaction IDs do not match.")
	case t.status != threeds.StatusChallenge && t.status != threeds.StatusDecoupled:
		return nil, threeds.Errorf(threeds.CodeTransIDNotRecognised, "dsTransID", "The transaction expects no results request (its ARes was not C or D).")
	case t.rreq != nil && !sameResult(t.rreq, m):
		return nil, threeds.Errorf(threeds.CodeTransIDNotRecognised, "dsTransID", "A different results request was already received for this transaction.")
	case t.rres != nil:
		return t.rres, nil // the same RReq again: the same answer
	}
	ctx, cancel := timeout(ctx, s.cfg.ServerTimeout)
	defer cancel()
	var rres threeds.RRes
	if err := threeds.Post(ctx, s.cfg.Client, t.serverURL, m, &rres); err != nil {
		return nil, err
	}
	if rres.ThreeDSServerTransID != m.ThreeDSServerTransID || rres.DSTransID != m.DSTransID || rres.ACSTransID != m.ACSTransID {
		return nil, threeds.Errorf(threeds.CodeTransIDNotRecognised, "threeDSServerTransID", "The 3DS Server answered for another transaction.")
	}
	t.rreq, t.rres = m, &rres
	return &rres, nil
}

// sameResult reports whether two RReqs carry the same result.
func sameResult(a, b *threeds.RReq) bool {
	return a.TransStatus == b.TransStatus && a.TransStatusReason == b.TransStatusReason &&
		a.ECI == b.ECI && a.AuthenticationValue == b.AuthenticationValue &&
		a.InteractionCounter == b.InteractionCounter && a.ChallengeCancel == b.ChallengeCancel
}
