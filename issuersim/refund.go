package issuersim

import (
	"github.com/kessai/kessai/iso8583msg"
	"github.com/kessai/kessai/sqlstore"
)

// refund answers a refund (0200 with processing code 20): the cardholder
// is credited. When DE90 names a captured authorization or sale, the card
// is that one's and the refunds may not exceed what was posted (13);
// otherwise the PAN names the card. Answers 25 when neither does, 12 for an
// original that is not posted, 13 for a zero amount.
func (s *Server) refund(tx *sqlstore.Tx, req *iso8583msg.CardRequest) (outcome, error) {
	key := keyOf(req.MTI, &req.Trace)
	if o, found, err := replay(tx, key, req.MTI); err != nil || found {
		return o, err
	}
	rec := newRecord(key, req)
	o, a, orig, err := s.checkRefund(tx, key, req, rec)
	if err != nil {
		return outcome{}, err
	}
	rec.outcome = o
	if o.code == iso8583msg.Approved {
		rec.accountID, rec.state = a.id, stateCredited
		if err := addBalance(tx, a.id, req.Currency, 0, -req.Amount); err != nil {
			return outcome{}, err
		}
		if orig != nil {
			orig.refunded += req.Amount
			if err := saveMoney(tx, orig); err != nil {
				return outcome{}, err
			}
		}
		if err := s.post(tx, LedgerRefund, req.Amount, a, rec, key); err != nil {
			return outcome{}, err
		}
	}
	return o, insertRecord(tx, rec)
}

// checkRefund decides a refund and returns the account to credit and the
// original it refunds (nil when DE90 is absent).
func (s *Server) checkRefund(tx *sqlstore.Tx, key string, req *iso8583msg.CardRequest, rec *record) (outcome, *account, *record, error) {
	o := outcome{rrn: req.RRN}
	if o.rrn == "" {
		o.rrn = iso8583msg.RRN(tx.Now, req.STAN)
	}
	decline := func(code string) (outcome, *account, *record, error) {
		o.code = code
		return o, nil, nil, nil
	}
	if req.Amount <= 0 {
		return decline(iso8583msg.InvalidAmount)
	}
	var orig *record
	if req.Original != nil {
		rec.originalKey = originalKey(req.Original, req.TerminalID)
		var err error
		if orig, err = findRecord(tx, rec.originalKey); err != nil {
			return outcome{}, nil, nil, err
		}
	}
	var a *account
	var err error
	switch {
	case orig != nil:
		if orig.state != stateCaptured || orig.currency != req.Currency {
			return decline(iso8583msg.InvalidTransaction)
		}
		if req.Amount > orig.captured-orig.refunded {
			return decline(iso8583msg.InvalidAmount)
		}
		a, err = accountByID(tx, orig.accountID)
	case req.PAN != "":
		if !luhn(req.PAN.Reveal()) {
			return decline(iso8583msg.InvalidCardNumber)
		}
		a, err = s.accountFor(tx, req.PAN.Reveal(), req.Currency)
	default:
		return decline(iso8583msg.UnableToLocate)
	}
	if err != nil {
		return outcome{}, nil, nil, err
	}
	o.code, o.approval = iso8583msg.Approved, newApprovalCode()
	return o, a, orig, nil
}
