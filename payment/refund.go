package payment

import (
	"context"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/sqlstore"
)

// NetworkRecords reads the network link's record of the requests it sent
// (the link's [kessai.NetworkStore] has it).
type NetworkRecords interface {
	// FindNetworkMessages returns the records of a reference, oldest first.
	FindNetworkMessages(ctx context.Context, reference string) ([]*kessai.NetworkMessage, error)
}

// CreateRefund refunds part or all of a captured charge; see
// [kessai.RefundService.CreateRefund].
//
// One write stores the refund as pending and reserves its amount on the
// charge (so that concurrent refunds cannot exceed the captured amount);
// then the refund goes to the network; a second write closes it with its
// ledger debit and refund.create event, or fails it and releases the
// amount.
func (s *Service) CreateRefund(ctx context.Context, auth *kessai.Auth, chargeID string, in *kessai.RefundInput) (*kessai.Refund, error) {
	if err := kessai.ValidateMetadata(in.Metadata); err != nil {
		return nil, err
	}
	var ch *kessai.Charge
	var f *kessai.Refund
	err := s.db.Write(ctx, func(tx *sqlstore.Tx) error {
		c, err := tx.FindCharge(auth.AccountID, auth.Livemode, chargeID)
		if err != nil {
			return err
		}
		if err := c.CheckRefund(in.Amount); err != nil {
			return err
		}
		f = &kessai.Refund{
			AccountID: auth.AccountID, Livemode: auth.Livemode, Charge: c.ID,
			Amount: in.Amount, Currency: c.Currency, Status: kessai.RefundPending, Metadata: in.Metadata,
		}
		if err := tx.InsertRefund(f); err != nil {
			return err
		}
		c.RefundedAmount += in.Amount
		ch = c
		return tx.UpdateCharge(c)
	})
	if err != nil {
		return nil, err
	}
	ctx = detach(ctx)
	res, err := s.link.Refund(ctx, &kessai.NetworkRefundRequest{
		Reference: f.ID, ChargeReference: ch.ID, NetworkRef: ch.NetworkRef, Amount: f.Amount, Currency: f.Currency,
	})
	if err != nil || !res.Approved {
		msg := "the card network could not be reached"
		if err == nil {
			msg = kessai.FailureMessage(declineCode(res))
		} else {
			s.log.Warn("payment: refund failed", "refund", f.ID, "err", err)
		}
		if ferr := s.failRefund(ctx, f); ferr != nil {
			return nil, ferr
		}
		return nil, kessai.WrapError(err, kessai.EFailedRefund, "refund failed: "+msg)
	}
	f.NetworkRef = res.NetworkRef
	if err := s.closeRefund(ctx, f); err != nil {
		return nil, err
	}
	return f, nil
}

// closeRefund records a refund the network made: its ledger debit, its
// status and its refund.create event.
func (s *Service) closeRefund(ctx context.Context, f *kessai.Refund) error {
	return s.db.Write(ctx, func(tx *sqlstore.Tx) error {
		t := &kessai.Transaction{
			AccountID: f.AccountID, Livemode: f.Livemode, Direction: kessai.Debit, Key: kessai.TransactionRefund,
			Origin: f.ID, Amount: f.Amount, Currency: f.Currency,
		}
		if err := tx.InsertTransaction(t); err != nil {
			return err
		}
		f.Status, f.Transaction = kessai.RefundClosed, &t.ID
		if err := tx.UpdateRefund(f); err != nil {
			return err
		}
		return addEvent(tx, kessai.EventRefundCreate, f.AccountID, f.Livemode, f.ID, f)
	})
}

// failRefund records a refund the network did not make, releasing its
// amount on the charge.
func (s *Service) failRefund(ctx context.Context, f *kessai.Refund) error {
	return s.db.Write(ctx, func(tx *sqlstore.Tx) error {
		c, err := tx.FindCharge(f.AccountID, f.Livemode, f.Charge)
		if err != nil {
			return err
		}
		c.RefundedAmount -= f.Amount
		if err := tx.UpdateCharge(c); err != nil {
			return err
		}
		f.Status = kessai.RefundFailed
		return tx.UpdateRefund(f)
	})
}

// recoverRefunds settles the refunds still pending since before before, as
// the link's records say: approved ones are closed, ones never sent,
// unanswered (the link reverses those) or declined are failed, and ones
// still waiting for an answer are left. Without [Config.Records] nothing is
// settled: failing a refund the network made would let it be made twice.
func (s *Service) recoverRefunds(ctx context.Context, before time.Time) (int, error) {
	if s.records == nil {
		return 0, nil
	}
	list, err := s.db.PendingRefunds(ctx, batch)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, f := range list {
		if !f.CreatedAt.Before(before) {
			break
		}
		msgs, err := s.records.FindNetworkMessages(ctx, f.ID)
		if err != nil {
			return n, err
		}
		approved, waiting := false, false
		for _, m := range msgs {
			switch {
			case m.Status == kessai.NetworkPending:
				waiting = true
			case m.Status == kessai.NetworkAnswered && approvedCode(m.ResponseCode):
				approved = true
				f.NetworkRef = m.ID
			}
		}
		switch {
		case approved:
			err = s.closeRefund(ctx, f)
		case waiting:
			continue
		default:
			err = s.failRefund(ctx, f)
		}
		if err != nil {
			s.log.Warn("payment: recover refund", "refund", f.ID, "err", err)
			continue
		}
		n++
	}
	return n, nil
}

// approvedCode reports whether an ISO 8583 response code approves a
// request: 00 (approved), 08 (honour with identification), 10 (partial),
// 11 (VIP).
func approvedCode(code string) bool {
	switch code {
	case "00", "08", "10", "11":
		return true
	}
	return false
}

// FindRefund returns a refund; see [kessai.RefundService.FindRefund].
func (s *Service) FindRefund(ctx context.Context, auth *kessai.Auth, chargeID, id string) (*kessai.Refund, error) {
	return s.db.FindRefund(ctx, auth.AccountID, auth.Livemode, chargeID, id)
}

// ListRefunds returns a page of a charge's refunds; see
// [kessai.RefundService.ListRefunds].
func (s *Service) ListRefunds(ctx context.Context, auth *kessai.Auth, chargeID string, p kessai.ListParams) (*kessai.List[*kessai.Refund], error) {
	return s.db.ListRefunds(ctx, auth.AccountID, auth.Livemode, chargeID, p)
}
