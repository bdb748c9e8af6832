package iso8583link

import (
	"context"
	"errors"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/iso8583msg"
)

var storedIndicator = map[kessai.StoredCredential]string{
	kessai.StoredCredentialInitial:    iso8583msg.StoredInitial,
	kessai.StoredCredentialCardholder: iso8583msg.StoredCardholder,
	kessai.StoredCredentialMerchant:   iso8583msg.StoredMerchantInitiated,
}

var _ kessai.PreparingLink = (*Link)(nil)

// Authorize sends a 0100 for req and returns the issuer's answer; see
// [kessai.NetworkLink]. The card number and security code go into the
// message only: they are neither recorded nor logged.
func (l *Link) Authorize(ctx context.Context, req *kessai.AuthRequest) (*kessai.AuthResult, error) {
	if err := l.enter(); err != nil {
		return nil, err
	}
	defer l.calls.Done()
	if err := checkCard(req); err != nil {
		return nil, err
	}
	c := l.connected()
	if c == nil {
		return nil, unavailable()
	}
	p, err := l.prepareAuth(ctx, req, false)
	if err != nil {
		return nil, err
	}
	raw, err := p.pack()
	if err != nil {
		return nil, err
	}
	rec := p.Record()
	var resp iso8583msg.CardResponse
	if err := l.exchange(ctx, c, rec, raw, p.key(), true, &resp); err != nil {
		return nil, err
	}
	return p.result(&resp), nil
}

// PrepareAuthorize prepares an authorization (0100) or, with capture, a
// sale (0200 with processing code 00: the issuer posts it at once); see
// [kessai.PreparingLink]. It reserves the trace number and builds the
// pending record, and neither writes nor sends anything.
func (l *Link) PrepareAuthorize(ctx context.Context, req *kessai.AuthRequest, capture bool) (kessai.PreparedAuth, error) {
	if err := l.enter(); err != nil {
		return nil, err
	}
	defer l.calls.Done()
	if l.connected() == nil {
		return nil, unavailable()
	}
	return l.prepareAuth(ctx, req, capture)
}

// SendAuthorize sends an authorization or sale prepared by
// [Link.PrepareAuthorize] whose record the caller has stored, and returns
// the answer without recording it: the caller records it with the
// outcome. A request that cannot be sent is recorded as not sent; one
// whose answer is lost is given up and its reversal queued, as by
// Authorize.
func (l *Link) SendAuthorize(ctx context.Context, pa kessai.PreparedAuth) (*kessai.AuthResult, error) {
	p, ok := pa.(*prepared)
	if !ok || p.link != l {
		return nil, errors.New("iso8583link: SendAuthorize of a request another link prepared")
	}
	if err := l.enter(); err != nil {
		l.notSent(ctx, p.rec)
		return nil, err
	}
	defer l.calls.Done()
	rec := p.Record()
	if err := checkCard(p.req); err != nil {
		l.notSent(ctx, rec)
		return nil, err
	}
	raw, err := p.pack()
	if err != nil {
		l.notSent(ctx, rec)
		return nil, err
	}
	c := l.connected()
	if c == nil {
		l.notSent(ctx, rec)
		return nil, unavailable()
	}
	var resp iso8583msg.CardResponse
	if _, err := l.send(ctx, c, rec, raw, p.key(), true, &resp); err != nil {
		return nil, err
	}
	return p.result(&resp), nil
}

// notSent records that a stored request was not sent.
func (l *Link) notSent(ctx context.Context, rec *kessai.NetworkMessage) {
	if _, err := l.store.AbandonNetworkMessage(context.WithoutCancel(ctx), rec.ID, kessai.NetworkNotSent, nil); err != nil {
		l.log.Error("could not record an unsent request", "ref", rec.Reference, "err", err)
	}
}

// prepared is an authorization or sale ready to be sent: everything but
// the card, which is read from req when packing.
type prepared struct {
	link *Link
	req  *kessai.AuthRequest
	msg  iso8583msg.CardRequest // without the card
	rec  *kessai.NetworkMessage
}

// Record returns the pending record of the request, with the card's last
// digits; see [kessai.PreparedAuth].
func (p *prepared) Record() *kessai.NetworkMessage {
	p.rec.LastDigits = p.req.Card.Last4()
	return p.rec
}

func (p *prepared) key() string {
	return iso8583msg.MatchKey(p.msg.MTI, p.msg.TerminalID, p.msg.STAN)
}

// checkCard validates the card fields of req.
func checkCard(req *kessai.AuthRequest) error {
	if req.Card.IsZero() {
		return kessai.Errorf(kessai.EInvalidCharge, "no card to authorize")
	}
	if req.ExpirationMonth < 1 || req.ExpirationMonth > 12 || req.ExpirationYear < 2000 || req.ExpirationYear > 2099 {
		return kessai.Errorf(kessai.EInvalidCharge, "card expiry is invalid")
	}
	return nil
}

// prepareAuth validates everything of req but the card, reserves a trace
// number and builds the message (without the card) and its record.
func (l *Link) prepareAuth(ctx context.Context, req *kessai.AuthRequest, capture bool) (*prepared, error) {
	if req.Amount < 0 {
		return nil, kessai.Errorf(kessai.EInvalidAmount, "amount must not be negative")
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
	now := l.now()
	tr, err := l.trace(ctx, tid, merchant(req.MerchantID), now)
	if err != nil {
		return nil, err
	}
	mti := iso8583msg.MTIAuthorization
	if capture {
		mti = iso8583msg.MTIFinancial
	}
	hhmmss, mmdd := iso8583msg.LocalTime(now)
	p := &prepared{link: l, req: req}
	p.msg = iso8583msg.CardRequest{
		MTI:            mti,
		ProcessingCode: iso8583msg.ProcessingPurchase,
		Amount:         req.Amount,
		Trace:          tr,
		LocalTime:      hhmmss,
		LocalDate:      mmdd,
		POSEntryMode:   iso8583msg.POSEntryEcommerce,
		POSCondition:   iso8583msg.POSConditionEcommerce,
		RRN:            iso8583msg.RRN(now, tr.STAN),
		Currency:       currency,
		Additional: &iso8583msg.Additional{
			ECI:              req.ECI,
			ThreeDSVersion:   req.ThreeDSVersion,
			DSTransactionID:  req.DSTransactionID,
			StoredCredential: indicator,
			Reference:        req.Reference,
		},
	}
	if req.StoredCredential == kessai.StoredCredentialCardholder || req.StoredCredential == kessai.StoredCredentialMerchant {
		p.msg.POSEntryMode = iso8583msg.POSEntryCredentialOnFile
	}
	p.rec = &kessai.NetworkMessage{
		ID:        "nmsg_" + kessai.RandomString(20),
		Reference: req.Reference, MTI: mti, ProcessingCode: p.msg.ProcessingCode, STAN: tr.STAN,
		TransmittedAt: now, AcquirerID: tr.AcquirerID, TerminalID: tid, MerchantID: tr.MerchantID, RRN: p.msg.RRN,
		Amount: req.Amount, Currency: currency,
	}
	return p, nil
}

// pack returns the message with the card of p.req.
func (p *prepared) pack() ([]byte, error) {
	msg := p.msg
	add := *p.msg.Additional
	msg.Additional = &add
	msg.PAN = iso8583msg.PAN(p.req.Card.Reveal())
	msg.Expiry = iso8583msg.Sensitive(iso8583msg.Expiry(p.req.ExpirationMonth, p.req.ExpirationYear))
	add.CVV2 = iso8583msg.Sensitive(p.req.SecurityCode.Reveal())
	add.CAVV = iso8583msg.Sensitive(p.req.CAVV)
	if add.IsZero() {
		msg.Additional = nil
	}
	raw, err := iso8583msg.Pack(&msg)
	if err != nil {
		// The error names the field, never its content.
		return nil, kessai.WrapError(err, kessai.EInvalidCharge, "the card data does not fit the network's message")
	}
	return raw, nil
}

// result returns the answer resp to p as the link reports it.
func (p *prepared) result(resp *iso8583msg.CardResponse) *kessai.AuthResult {
	res := &kessai.AuthResult{NetworkResult: result(p.rec, resp.ResponseCode, resp.ApprovalCode, resp.RRN)}
	if resp.Additional != nil {
		res.SecurityCodeResult = resp.Additional.CVV2Result
	}
	p.link.log.Debug("authorization answered", "ref", p.req.Reference, "mti", p.msg.MTI, "stan", p.msg.STAN, "code", resp.ResponseCode)
	return res
}
