package issuersim

import (
	"context"

	"github.com/kessai/kessai/card"
	"github.com/kessai/kessai/iso8583msg"
	"github.com/kessai/kessai/sqlstore"
)

// authorize answers an authorization (0100: a hold) or a sale (0200 with
// a purchase processing code: posted at once).
func (s *Server) authorize(ctx context.Context, tx *sqlstore.Tx, req *iso8583msg.CardRequest) (outcome, error) {
	key := keyOf(req.MTI, &req.Trace)
	if o, found, err := replay(tx, key, req.MTI); err != nil || found {
		return o, err
	}
	rec := newRecord(key, req)
	o, a, err := s.decide(ctx, tx, key, req)
	if err != nil {
		return outcome{}, err
	}
	rec.outcome = o
	if a != nil {
		rec.accountID = a.id
	}
	if o.code == iso8583msg.Approved && req.Amount > 0 {
		if iso8583msg.Class(req.MTI) == '2' {
			rec.state, rec.captured = stateCaptured, req.Amount
			err = addBalance(tx, a.id, req.Currency, 0, req.Amount)
		} else {
			rec.state, rec.held = stateHeld, req.Amount
			err = addBalance(tx, a.id, req.Currency, req.Amount, 0)
		}
		if err != nil {
			return outcome{}, err
		}
		kind := LedgerHold
		if rec.state == stateCaptured {
			kind = LedgerCapture
		}
		if err := s.post(tx, kind, req.Amount, a, rec, key); err != nil {
			return outcome{}, err
		}
	}
	return o, insertRecord(tx, rec)
}

// decide runs the issuer's checks on an authorization or sale, in order,
// and returns the answer and the account (nil when the card has none).
func (s *Server) decide(ctx context.Context, tx *sqlstore.Tx, key string, req *iso8583msg.CardRequest) (outcome, *account, error) {
	o := outcome{rrn: req.RRN}
	if o.rrn == "" {
		o.rrn = iso8583msg.RRN(tx.Now, req.STAN)
	}
	decline := func(code string) (outcome, *account, error) {
		o.code = code
		return o, nil, nil
	}
	pan := req.PAN.Reveal()
	if !luhn(pan) {
		return decline(iso8583msg.InvalidCardNumber)
	}
	month, year, _ := iso8583msg.ParseExpiry(req.Expiry.Reveal())
	if card.Expired(month, year, tx.Now) {
		return decline(iso8583msg.ExpiredCard)
	}
	a, err := s.accountFor(tx, pan, req.Currency)
	if err != nil {
		return outcome{}, nil, err
	}
	declineAccount := func(code string) (outcome, *account, error) {
		o.code = code
		return o, a, nil
	}
	switch a.status {
	case Lost:
		return declineAccount(iso8583msg.LostCard)
	case Stolen:
		return declineAccount(iso8583msg.StolenCard)
	case Frozen:
		return declineAccount(iso8583msg.RestrictedCard)
	case Closed:
		return declineAccount(iso8583msg.InvalidCardNumber)
	}
	if a.forcedCode != "" {
		return declineAccount(a.forcedCode)
	}
	if a.expiry != "" && a.expiry != req.Expiry.Reveal() {
		return declineAccount(iso8583msg.ExpiredCard)
	}
	add := req.Additional
	if add == nil {
		add = &iso8583msg.Additional{}
	}
	if cvv := add.CVV2.Reveal(); cvv != "" {
		o.cvv2 = iso8583msg.CVV2Match
		if a.cvvPolicy == cvvNever || (a.cvvPolicy == cvvHash && s.cvvHash(pan, cvv) != a.cvvHash) {
			o.cvv2 = iso8583msg.CVV2NoMatch
			return declineAccount(iso8583msg.CVV2Failure)
		}
	} else if a.cvvPolicy == cvvNever {
		return declineAccount(iso8583msg.CVV2Failure)
	}
	if s.cfg.VerifyCAVV != nil && (add.ECI != "" || add.CAVV != "") {
		code := s.cfg.VerifyCAVV(ctx, ThreeDSData{
			Last4: a.last4, Amount: req.Amount, Currency: req.Currency, ECI: add.ECI,
			CAVV: add.CAVV.Reveal(), Version: add.ThreeDSVersion, DSTransactionID: add.DSTransactionID,
		})
		if code != "" {
			return declineAccount(code)
		}
	}
	if req.Amount > a.limit-a.held-a.posted {
		return declineAccount(iso8583msg.InsufficientFunds)
	}
	o.code, o.approval = iso8583msg.Approved, newApprovalCode()
	return o, a, nil
}

// newRecord returns the record of a card request, without its outcome.
func newRecord(key string, req *iso8583msg.CardRequest) *record {
	r := &record{
		key: key, mti: iso8583msg.Unrepeated(req.MTI), processingCode: req.ProcessingCode,
		amount: req.Amount, currency: req.Currency, terminalID: req.TerminalID, merchantID: req.MerchantID,
	}
	if req.Additional != nil {
		r.reference = req.Additional.Reference
	}
	return r
}

// luhn reports whether a digit string of 12 to 19 digits passes the Luhn
// check.
func luhn(d string) bool {
	if len(d) < 12 || len(d) > 19 {
		return false
	}
	sum, double := 0, false
	for i := len(d) - 1; i >= 0; i-- {
		c := d[i]
		if c < '0' || c > '9' {
			return false
		}
		n := int(c - '0')
		if double {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
		double = !double
	}
	return sum%10 == 0
}
