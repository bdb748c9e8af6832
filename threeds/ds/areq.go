package ds

import (
	"context"
	"net/url"

	"github.com/kessai/kessai/threeds"
)

// authenticate routes an AReq to its ACS and returns the checked ARes, or
// an error to answer with (an *Error carrying the ACS's Erro to relay).
func (s *Server) authenticate(ctx context.Context, m *threeds.AReq) (*threeds.ARes, error) {
	if err := s.checkServer(m.ThreeDSServerRefNumber); err != nil {
		return nil, err
	}
	if m.DSTransID != "" || m.DSReferenceNumber != "" || m.DSURL != "" {
		return nil, threeds.Errorf(threeds.CodeInvalidFormat, "dsTransID", "The DS elements must not be set by the 3DS Server.")
	}
	if u, err := url.Parse(m.ThreeDSServerURL); err != nil || u.Scheme != "https" {
		return nil, threeds.Errorf(threeds.CodeInvalidFormat, "threeDSServerURL", "The 3DS Server URL must be https.")
	}
	r, ok := s.rangeFor(string(m.AcctNumber))
	if !ok {
		return nil, threeds.Errorf(threeds.CodeTransactionDataInvalid, "acctNumber", "The card number is in no card range of the DS.")
	}
	if m.MessageVersion < r.ACSStartProtocolVersion || m.MessageVersion > r.ACSEndProtocolVersion {
		return nil, threeds.Errorf(threeds.CodeVersionNotSupported, "messageVersion", "The ACS of the card range does not support this version.")
	}
	fwd := *m
	fwd.DSTransID = threeds.NewTransID()
	fwd.DSReferenceNumber = s.cfg.ReferenceNumber
	fwd.DSURL = s.cfg.URL
	t := &tx{created: s.cfg.Now(), serverURL: m.ThreeDSServerURL, serverID: m.ThreeDSServerTransID}
	s.store(fwd.DSTransID, t)

	ctx, cancel := timeout(ctx, s.cfg.ACSTimeout)
	defer cancel()
	var ares threeds.ARes
	if err := threeds.Post(ctx, s.cfg.Client, r.ACSURL, &fwd, &ares); err != nil {
		if e, ok := err.(*threeds.Error); ok && e.Erro == nil {
			s.cfg.Logger.Warn("ds acs failure", "acs", r.ACSURL, "code", e.Code, "error", e.Description)
		}
		return nil, err
	}
	if err := ares.ValidateFor(&fwd); err != nil {
		// The ACS broke the protocol: the 3DS Server gets the DS's Erro.
		return nil, err
	}
	t.mu.Lock()
	t.acsID, t.status = ares.ACSTransID, ares.TransStatus
	t.mu.Unlock()
	return &ares, nil
}
