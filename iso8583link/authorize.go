package iso8583link

import (
	"context"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/iso8583msg"
)

var storedIndicator = map[kessai.StoredCredential]string{
	kessai.StoredCredentialInitial:    iso8583msg.StoredInitial,
	kessai.StoredCredentialCardholder: iso8583msg.StoredCardholder,
	kessai.StoredCredentialMerchant:   iso8583msg.StoredMerchantInitiated,
}

// Authorize sends a 0100 for req and returns the issuer's answer; see
// [kessai.NetworkLink]. The card number and security code go into the
// message only: they are neither recorded nor logged.
func (l *Link) Authorize(ctx context.Context, req *kessai.AuthRequest) (*kessai.AuthResult, error) {
	if err := l.enter(); err != nil {
		return nil, err
	}
	defer l.calls.Done()
	if req.Card.IsZero() {
		return nil, kessai.Errorf(kessai.EInvalidCharge, "no card to authorize")
	}
	if req.Amount < 0 {
		return nil, kessai.Errorf(kessai.EInvalidAmount, "amount must not be negative")
	}
	if req.ExpirationMonth < 1 || req.ExpirationMonth > 12 || req.ExpirationYear < 2000 || req.ExpirationYear > 2099 {
		return nil, kessai.Errorf(kessai.EInvalidCharge, "card expiry is invalid")
	}
	currency, ok := iso8583msg.CurrencyNumeric(req.Currency)
	if !ok {
		return nil, kessai.Errorf(kessai.EInvalidCharge, "currency %s is not carried by the card network", req.Currency)
	}
	indicator, ok := storedIndicator[req.StoredCredential]
	if !ok && req.StoredCredential != kessai.StoredCredentialNone {
		return nil, kessai.Errorf(kessai.EInvalidCharge, "unknown stored credential use %q", req.StoredCredential)
	}
	tid, err := l.terminal(req.TerminalID)
	if err != nil {
		return nil, err
	}
	c := l.connected()
	if c == nil {
		return nil, unavailable()
	}
	now := l.now()
	tr, err := l.trace(ctx, tid, merchant(req.MerchantID), now)
	if err != nil {
		return nil, err
	}
	hhmmss, mmdd := iso8583msg.LocalTime(now)
	msg := &iso8583msg.CardRequest{
		MTI:            iso8583msg.MTIAuthorization,
		PAN:            iso8583msg.PAN(req.Card.Reveal()),
		ProcessingCode: iso8583msg.ProcessingPurchase,
		Amount:         req.Amount,
		Trace:          tr,
		LocalTime:      hhmmss,
		LocalDate:      mmdd,
		Expiry:         iso8583msg.Sensitive(iso8583msg.Expiry(req.ExpirationMonth, req.ExpirationYear)),
		POSEntryMode:   iso8583msg.POSEntryEcommerce,
		POSCondition:   iso8583msg.POSConditionEcommerce,
		RRN:            iso8583msg.RRN(now, tr.STAN),
		Currency:       currency,
		Additional: &iso8583msg.Additional{
			CVV2:             iso8583msg.Sensitive(req.SecurityCode.Reveal()),
			ECI:              req.ECI,
			CAVV:             iso8583msg.Sensitive(req.CAVV),
			ThreeDSVersion:   req.ThreeDSVersion,
			DSTransactionID:  req.DSTransactionID,
			StoredCredential: indicator,
			Reference:        req.Reference,
		},
	}
	if req.StoredCredential == kessai.StoredCredentialCardholder || req.StoredCredential == kessai.StoredCredentialMerchant {
		msg.POSEntryMode = iso8583msg.POSEntryCredentialOnFile
	}
	if msg.Additional.IsZero() {
		msg.Additional = nil
	}
	raw, err := iso8583msg.Pack(msg)
	if err != nil {
		// The error names the field, never its content.
		return nil, kessai.WrapError(err, kessai.EInvalidCharge, "the card data does not fit the network's message")
	}
	rec := &kessai.NetworkMessage{
		Reference: req.Reference, MTI: msg.MTI, ProcessingCode: msg.ProcessingCode, STAN: tr.STAN,
		TransmittedAt: now, AcquirerID: tr.AcquirerID, TerminalID: tid, MerchantID: tr.MerchantID, RRN: msg.RRN,
		Amount: req.Amount, Currency: currency, LastDigits: req.Card.Last4(),
	}
	var resp iso8583msg.CardResponse
	if err := l.exchange(ctx, c, rec, raw, iso8583msg.MatchKey(msg.MTI, tid, tr.STAN), true, &resp); err != nil {
		return nil, err
	}
	res := &kessai.AuthResult{NetworkResult: result(rec, resp.ResponseCode, resp.ApprovalCode, resp.RRN)}
	if resp.Additional != nil {
		res.SecurityCodeResult = resp.Additional.CVV2Result
	}
	l.log.Debug("authorization answered", "ref", req.Reference, "stan", tr.STAN, "code", resp.ResponseCode)
	return res, nil
}
