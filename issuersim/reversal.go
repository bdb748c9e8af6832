package issuersim

import (
	"github.com/kessai/kessai/iso8583msg"
	"github.com/kessai/kessai/sqlstore"
)

// reverse answers a reversal (0400, 0401). It is idempotent: a reversal
// seen before gets its first answer, and an original already reversed is
// not reversed twice. A reversal whose original is unknown is acknowledged
// (00) and remembered, so that the original, if it comes late, is declined
// with 68. Otherwise the original is undone: an authorization's hold is
// released (a captured one's posting is taken back), a refund's credit is
// taken back.
func (s *Server) reverse(tx *sqlstore.Tx, rev *iso8583msg.ReversalRequest) (outcome, error) {
	key := keyOf(rev.MTI, &rev.Trace)
	if o, found, err := replay(tx, key, rev.MTI); err != nil || found {
		return o, err
	}
	rec := &record{
		key: key, mti: iso8583msg.Unrepeated(rev.MTI), processingCode: rev.ProcessingCode, amount: rev.Amount,
		currency: rev.Currency, terminalID: rev.TerminalID, merchantID: rev.MerchantID,
		originalKey: originalKey(rev.Original, rev.TerminalID),
	}
	if rev.Additional != nil {
		rec.reference = rev.Additional.Reference
	}
	o := outcome{code: iso8583msg.Approved, rrn: rev.RRN}
	orig, err := findRecord(tx, rec.originalKey)
	if err != nil {
		return outcome{}, err
	}
	if orig == nil {
		// Remember the original, with the answer it will get.
		orphan := *rec
		orphan.key, orphan.mti, orphan.originalKey = rec.originalKey, iso8583msg.Unrepeated(rev.Original.MTI), key
		orphan.state, orphan.outcome = stateOrphaned, outcome{code: iso8583msg.LateOriginal}
		if err := insertRecord(tx, &orphan); err != nil {
			return outcome{}, err
		}
	} else {
		rec.accountID = orig.accountID
		o.rrn, o.approval = orig.rrn, orig.approval
		if err := s.undo(tx, orig, key); err != nil {
			return outcome{}, err
		}
	}
	rec.outcome = o
	return o, insertRecord(tx, rec)
}

// undo reverses the money effect of orig, a record in any state.
func (s *Server) undo(tx *sqlstore.Tx, orig *record, msgKey string) error {
	var kind string
	var amount, held, posted int64
	switch orig.state {
	case stateHeld:
		kind, amount, held = LedgerRelease, orig.held, -orig.held
	case stateCaptured:
		kind, amount = LedgerCaptureReversal, orig.captured-orig.refunded
		posted = -amount
	case stateCredited:
		kind, amount, posted = LedgerRefundReversal, orig.amount, orig.amount
	default:
		return nil // declined, released, reversed or orphaned: nothing to undo
	}
	a, err := accountByID(tx, orig.accountID)
	if err != nil {
		return err
	}
	if err := addBalance(tx, a.id, orig.currency, held, posted); err != nil {
		return err
	}
	if orig.state == stateCredited && orig.originalKey != "" {
		parent, err := findRecord(tx, orig.originalKey)
		if err != nil {
			return err
		}
		if parent != nil {
			parent.refunded -= orig.amount
			if err := saveMoney(tx, parent); err != nil {
				return err
			}
		}
	}
	orig.state, orig.held = stateReversed, 0
	if err := saveMoney(tx, orig); err != nil {
		return err
	}
	return s.post(tx, kind, amount, a, orig, msgKey)
}
