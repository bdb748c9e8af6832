package iso8583link

import (
	"context"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/iso8583msg"
)

// isAuthorization reports whether m records an authorization (0100) or a
// sale (0200 purchase: an authorization the issuer posted at once).
func isAuthorization(m *kessai.NetworkMessage) bool {
	return m.MTI == iso8583msg.MTIAuthorization ||
		m.MTI == iso8583msg.MTIFinancial && m.ProcessingCode == iso8583msg.ProcessingPurchase
}

// findAuthorization returns the approved authorization (or sale) record named by
// networkRef, or else the last one made for reference. It fails with an
// *kessai.Error of code (EFailedCapture, …) when there is none.
func (l *Link) findAuthorization(ctx context.Context, reference, networkRef, code string) (*kessai.NetworkMessage, error) {
	approved := func(m *kessai.NetworkMessage) bool {
		return isAuthorization(m) && m.Status == kessai.NetworkAnswered && m.ResponseCode == iso8583msg.Approved
	}
	if networkRef != "" {
		m, err := l.store.FindNetworkMessage(ctx, networkRef)
		if err != nil && kessai.ErrorCode(err) != kessai.ENotFound {
			return nil, err
		}
		if err == nil && approved(m) && (reference == "" || m.Reference == reference) {
			return m, nil
		}
		return nil, kessai.Errorf(code, "no approved authorization %s", networkRef)
	}
	msgs, err := l.store.FindNetworkMessages(ctx, reference)
	if err != nil {
		return nil, err
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		if approved(msgs[i]) {
			return msgs[i], nil
		}
	}
	return nil, kessai.Errorf(code, "charge %s has no approved authorization", reference)
}

// Capture posts the approved authorization of req.Reference with a 0220
// advice; see [kessai.NetworkLink]. An advice that got no answer is
// repeated as a 0221 with the same identity when Capture is called again,
// and an answered one is not sent again.
func (l *Link) Capture(ctx context.Context, req *kessai.NetworkCaptureRequest) (*kessai.NetworkResult, error) {
	if err := l.enter(); err != nil {
		return nil, err
	}
	defer l.calls.Done()
	auth, err := l.findAuthorization(ctx, req.Reference, req.NetworkRef, kessai.EFailedCapture)
	if err != nil {
		return nil, err
	}
	amount := req.Amount
	if amount == 0 {
		amount = auth.Amount
	}
	if amount < 0 || amount > auth.Amount {
		return nil, kessai.Errorf(kessai.EFailedCapture, "capture amount must be between 1 and the authorized %d", auth.Amount)
	}
	if auth.MTI == iso8583msg.MTIFinancial {
		// A sale is posted already, in full.
		if amount != auth.Amount {
			return nil, kessai.Errorf(kessai.EFailedCapture, "a sale is captured in full already")
		}
		res := result(auth, auth.ResponseCode, auth.ApprovalCode, auth.RRN)
		return &res, nil
	}
	msgs, err := l.store.FindNetworkMessages(ctx, auth.Reference)
	if err != nil {
		return nil, err
	}
	// An earlier advice for this authorization: its answer, or a repeat.
	var prior *kessai.NetworkMessage
	for _, m := range msgs {
		if m.OriginalID != auth.ID || iso8583msg.Unrepeated(m.MTI) != iso8583msg.MTICaptureAdvice {
			continue
		}
		switch {
		case m.Status == kessai.NetworkAnswered && m.ResponseCode == iso8583msg.Approved:
			res := result(m, m.ResponseCode, m.ApprovalCode, auth.RRN)
			return &res, nil
		case m.Status != kessai.NetworkAnswered && m.Amount == amount:
			// Unanswered, or still pending: sent before a crash, whose
			// answer was never recorded. The issuer may have posted it,
			// so it is repeated with its identity; a new advice would be
			// declined as a second capture of the authorization.
			prior = m
		}
	}
	c := l.connected()
	if c == nil {
		return nil, unavailable()
	}
	mti, at := iso8583msg.MTICaptureAdvice, l.now()
	var tr iso8583msg.Trace
	if prior != nil {
		mti, at = iso8583msg.MTICaptureAdviceRepeat, prior.TransmittedAt
		tr = iso8583msg.Trace{
			TransmissionTime: iso8583msg.TransmissionTime(at), STAN: prior.STAN, AcquirerID: prior.AcquirerID,
			TerminalID: prior.TerminalID, MerchantID: prior.MerchantID,
		}
	} else if tr, err = l.trace(ctx, auth.TerminalID, auth.MerchantID, at); err != nil {
		return nil, err
	}
	hhmmss, mmdd := iso8583msg.LocalTime(at)
	msg := &iso8583msg.CaptureAdvice{
		MTI: mti, ProcessingCode: iso8583msg.ProcessingPurchase, Amount: amount, Trace: tr,
		LocalTime: hhmmss, LocalDate: mmdd, RRN: auth.RRN, ApprovalCode: auth.ApprovalCode, Currency: auth.Currency,
		Original:   originalOf(auth),
		Additional: &iso8583msg.Additional{Reference: auth.Reference},
	}
	raw, err := iso8583msg.Pack(msg)
	if err != nil {
		return nil, kessai.WrapError(err, kessai.EFailedCapture, "the capture does not fit the network's message")
	}
	rec := &kessai.NetworkMessage{
		Reference: auth.Reference, MTI: mti, ProcessingCode: msg.ProcessingCode, STAN: tr.STAN, TransmittedAt: at,
		AcquirerID: tr.AcquirerID, TerminalID: tr.TerminalID, MerchantID: tr.MerchantID, RRN: auth.RRN,
		Amount: amount, Currency: auth.Currency, LastDigits: auth.LastDigits, OriginalID: auth.ID,
	}
	var resp iso8583msg.CaptureAdviceResponse
	if err := l.exchange(ctx, c, rec, raw, iso8583msg.MatchKey(mti, tr.TerminalID, tr.STAN), false, &resp); err != nil {
		return nil, err
	}
	res := result(rec, resp.ResponseCode, resp.ApprovalCode, resp.RRN)
	return &res, nil
}

// originalOf returns DE90 naming a recorded request.
func originalOf(m *kessai.NetworkMessage) *iso8583msg.OriginalData {
	return &iso8583msg.OriginalData{
		MTI:              iso8583msg.Unrepeated(m.MTI),
		STAN:             m.STAN,
		TransmissionTime: iso8583msg.TransmissionTime(m.TransmittedAt),
		AcquirerID:       m.AcquirerID,
	}
}
