package issuersim

import (
	"github.com/kessai/kessai/iso8583msg"
	"github.com/kessai/kessai/sqlstore"
)

// capture answers a capture advice (0220): the held authorization DE90
// names is posted for the advice's amount (0: the amount held) and the
// rest of its hold released. Answers 25 when the authorization is unknown,
// 12 when it is not held (declined, captured, reversed) and 13 when the
// amount exceeds the hold.
func (s *Server) capture(tx *sqlstore.Tx, adv *iso8583msg.CaptureAdvice) (outcome, error) {
	key := keyOf(adv.MTI, &adv.Trace)
	if o, found, err := replay(tx, key, adv.MTI); err != nil || found {
		return o, err
	}
	rec := &record{
		key: key, mti: iso8583msg.Unrepeated(adv.MTI), processingCode: adv.ProcessingCode, amount: adv.Amount,
		currency: adv.Currency, terminalID: adv.TerminalID, merchantID: adv.MerchantID,
		originalKey: originalKey(adv.Original, adv.TerminalID),
	}
	if adv.Additional != nil {
		rec.reference = adv.Additional.Reference
	}
	o, err := s.postHold(tx, rec, adv)
	if err != nil {
		return outcome{}, err
	}
	rec.outcome = o
	return o, insertRecord(tx, rec)
}

// postHold moves the authorization named by rec.originalKey from held to
// posted.
func (s *Server) postHold(tx *sqlstore.Tx, rec *record, adv *iso8583msg.CaptureAdvice) (outcome, error) {
	o := outcome{rrn: adv.RRN, approval: adv.ApprovalCode}
	auth, err := findRecord(tx, rec.originalKey)
	switch {
	case err != nil:
		return outcome{}, err
	case auth == nil:
		o.code = iso8583msg.UnableToLocate
		return o, nil
	}
	o.rrn, o.approval = auth.rrn, auth.approval
	rec.accountID = auth.accountID
	amount := adv.Amount
	if amount == 0 {
		amount = auth.held
	}
	switch {
	case auth.state != stateHeld || iso8583msg.Class(auth.mti) != '1':
		o.code = iso8583msg.InvalidTransaction
		return o, nil
	case amount > auth.held:
		o.code = iso8583msg.InvalidAmount
		return o, nil
	}
	a, err := accountByID(tx, auth.accountID)
	if err != nil {
		return outcome{}, err
	}
	if err := addBalance(tx, a.id, auth.currency, -auth.held, amount); err != nil {
		return outcome{}, err
	}
	released := auth.held - amount
	auth.state, auth.held, auth.captured = stateCaptured, 0, amount
	if err := saveMoney(tx, auth); err != nil {
		return outcome{}, err
	}
	if err := s.post(tx, LedgerCapture, amount, a, auth, rec.key); err != nil {
		return outcome{}, err
	}
	if err := s.post(tx, LedgerRelease, released, a, auth, rec.key); err != nil {
		return outcome{}, err
	}
	rec.amount = amount
	o.code = iso8583msg.Approved
	return o, nil
}
