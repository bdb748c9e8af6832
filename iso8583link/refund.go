package iso8583link

import (
	"context"
	"strings"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/iso8583msg"
)

// Refund credits the card of the approved authorization of
// req.ChargeReference with a 0200 (processing code 20) that names the
// authorization in DE90; see [kessai.NetworkLink]. A refund whose answer
// is lost is reversed by the link.
func (l *Link) Refund(ctx context.Context, req *kessai.NetworkRefundRequest) (*kessai.NetworkResult, error) {
	if err := l.enter(); err != nil {
		return nil, err
	}
	defer l.calls.Done()
	auth, err := l.findAuthorization(ctx, req.ChargeReference, req.NetworkRef, kessai.EFailedRefund)
	if err != nil {
		return nil, err
	}
	if req.Amount <= 0 {
		return nil, kessai.Errorf(kessai.EFailedRefund, "refund amount must be positive")
	}
	currency := auth.Currency
	if req.Currency != "" {
		n, ok := iso8583msg.CurrencyNumeric(req.Currency)
		if !ok || n != auth.Currency {
			return nil, kessai.Errorf(kessai.EFailedRefund, "refund currency %s differs from the charge's", strings.ToLower(req.Currency))
		}
	}
	c := l.connected()
	if c == nil {
		return nil, unavailable()
	}
	now := l.now()
	tr, err := l.trace(ctx, auth.TerminalID, auth.MerchantID, now)
	if err != nil {
		return nil, err
	}
	hhmmss, mmdd := iso8583msg.LocalTime(now)
	msg := &iso8583msg.CardRequest{
		MTI: iso8583msg.MTIFinancial, ProcessingCode: iso8583msg.ProcessingRefund, Amount: req.Amount, Trace: tr,
		LocalTime: hhmmss, LocalDate: mmdd, POSEntryMode: iso8583msg.POSEntryCredentialOnFile,
		POSCondition: iso8583msg.POSConditionEcommerce, RRN: iso8583msg.RRN(now, tr.STAN), Currency: currency,
		Original:   originalOf(auth),
		Additional: &iso8583msg.Additional{Reference: req.Reference},
	}
	raw, err := iso8583msg.Pack(msg)
	if err != nil {
		return nil, kessai.WrapError(err, kessai.EFailedRefund, "the refund does not fit the network's message")
	}
	rec := &kessai.NetworkMessage{
		Reference: req.Reference, MTI: msg.MTI, ProcessingCode: msg.ProcessingCode, STAN: tr.STAN, TransmittedAt: now,
		AcquirerID: tr.AcquirerID, TerminalID: tr.TerminalID, MerchantID: tr.MerchantID, RRN: msg.RRN,
		Amount: req.Amount, Currency: currency, LastDigits: auth.LastDigits, OriginalID: auth.ID,
	}
	var resp iso8583msg.CardResponse
	if err := l.exchange(ctx, c, rec, raw, iso8583msg.MatchKey(msg.MTI, tr.TerminalID, tr.STAN), true, &resp); err != nil {
		return nil, err
	}
	res := result(rec, resp.ResponseCode, resp.ApprovalCode, resp.RRN)
	return &res, nil
}
