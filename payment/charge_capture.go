package payment

import (
	"context"
	"errors"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/sqlstore"
)

// begin marks the charge id of the account and mode in flight with op, in
// one write, after check accepts it; it returns the charge as stored.
func (s *Service) begin(ctx context.Context, accountID string, livemode bool, id, op string, check func(*kessai.Charge, *sqlstore.Tx) error) (*kessai.Charge, error) {
	var ch *kessai.Charge
	err := s.db.Write(ctx, func(tx *sqlstore.Tx) error {
		c, err := tx.FindCharge(accountID, livemode, id)
		if err != nil {
			return err
		}
		if err := check(c, tx); err != nil {
			return err
		}
		c.MarkInflight(op, tx.Now)
		if err := tx.UpdateCharge(c); err != nil {
			return err
		}
		ch = c
		return nil
	})
	return ch, err
}

// abort clears the in-flight mark of ch after its operation failed, and
// returns failure.
func (s *Service) abort(ctx context.Context, ch *kessai.Charge, failure error) error {
	err := s.db.Write(ctx, func(tx *sqlstore.Tx) error {
		if ch.Inflight == kessai.InflightCapture {
			ch.CapturedAmount = 0
		}
		ch.Inflight = ""
		return tx.UpdateCharge(ch)
	})
	if err != nil {
		s.log.Error("payment: clear in-flight mark", "charge", ch.ID, "err", err)
	}
	return failure
}

// CaptureCharge captures an authorized charge; see
// [kessai.ChargeService.CaptureCharge].
func (s *Service) CaptureCharge(ctx context.Context, auth *kessai.Auth, id string, amount int64) (*kessai.Charge, error) {
	ch, err := s.begin(ctx, auth.AccountID, auth.Livemode, id, kessai.InflightCapture, func(c *kessai.Charge, tx *sqlstore.Tx) error {
		if err := c.CheckCapture(amount, tx.Now); err != nil {
			return err
		}
		// The amount being captured, kept for the recovery pass.
		c.CapturedAmount = amount
		if amount == 0 {
			c.CapturedAmount = c.Amount
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.capture(detach(ctx), ch, ch.CapturedAmount, false)
}

// capture posts amount of the in-flight charge ch and stores the outcome.
// recovering says that an advice for it was sent before (by a process that
// died, or unanswered): then a card network out of reach leaves the charge
// in flight too.
func (s *Service) capture(ctx context.Context, ch *kessai.Charge, amount int64, recovering bool) (*kessai.Charge, error) {
	res, err := s.link.Capture(ctx, &kessai.NetworkCaptureRequest{Reference: ch.ID, NetworkRef: ch.NetworkRef, Amount: amount})
	if errors.Is(err, kessai.ErrNetworkTimeout) || recovering && errors.Is(err, kessai.ErrNetworkUnavailable) {
		// The advice may have reached the card company, which then posted
		// the amount: the charge stays in flight, and the recovery pass
		// repeats the advice until it is answered.
		s.log.Warn("payment: capture unanswered, left to the recovery pass", "charge", ch.ID, "err", err)
		return nil, kessai.WrapError(err, kessai.EUnavailable, "the card network did not answer in time; the capture completes automatically")
	}
	if err != nil {
		s.log.Warn("payment: capture failed", "charge", ch.ID, "err", err)
		return nil, s.abort(ctx, ch, kessai.WrapError(err, kessai.EFailedCapture, "capture failed: the card network could not be reached, try again"))
	}
	if !res.Approved {
		return nil, s.abort(ctx, ch, kessai.Errorf(kessai.EFailedCapture, "capture failed: %s", kessai.FailureMessage(declineCode(res))))
	}
	err = s.db.Write(ctx, func(tx *sqlstore.Tx) error {
		if err := s.credit(tx, ch, amount); err != nil {
			return err
		}
		if err := tx.UpdateCharge(ch); err != nil {
			return err
		}
		return addEvent(tx, kessai.EventChargeCapture, ch.AccountID, ch.Livemode, ch.ID, ch)
	})
	if err != nil {
		return nil, err
	}
	return s.db.FindCharge(ctx, ch.AccountID, ch.Livemode, ch.ID)
}

// ReverseCharge voids an uncaptured authorization; see
// [kessai.ChargeService.ReverseCharge].
func (s *Service) ReverseCharge(ctx context.Context, auth *kessai.Auth, id string) (*kessai.Charge, error) {
	ch, err := s.begin(ctx, auth.AccountID, auth.Livemode, id, kessai.InflightReverse, func(c *kessai.Charge, tx *sqlstore.Tx) error {
		return c.CheckReverse(tx.Now)
	})
	if err != nil {
		return nil, err
	}
	return s.reverse(detach(ctx), ch)
}

// reverse sends the reversal of the in-flight charge ch (a reverse or an
// expiry) and stores the outcome. A reversal the link has queued durably
// counts as done: the link delivers it.
func (s *Service) reverse(ctx context.Context, ch *kessai.Charge) (*kessai.Charge, error) {
	_, err := s.link.Reverse(ctx, &kessai.NetworkReverseRequest{Reference: ch.ID, NetworkRef: ch.NetworkRef})
	if err != nil {
		s.log.Warn("payment: reversal failed", "charge", ch.ID, "err", err)
		code := kessai.EFailedReverse
		if ch.Inflight == kessai.InflightExpire {
			code = kessai.EFailedExpire
		}
		return nil, s.abort(ctx, ch, kessai.WrapError(err, code, "the card network could not take the reversal, try again"))
	}
	err = s.db.Write(ctx, func(tx *sqlstore.Tx) error {
		key := kessai.EventChargeReverse
		if ch.Inflight == kessai.InflightExpire {
			ch.MarkExpired(tx.Now)
			key = kessai.EventChargeExpire
		} else {
			ch.MarkReversed(tx.Now)
		}
		if err := tx.UpdateCharge(ch); err != nil {
			return err
		}
		return addEvent(tx, key, ch.AccountID, ch.Livemode, ch.ID, ch)
	})
	if err != nil {
		return nil, err
	}
	return s.db.FindCharge(ctx, ch.AccountID, ch.Livemode, ch.ID)
}

// ExpireCharge makes a pending charge expire; see
// [kessai.ChargeService.ExpireCharge].
func (s *Service) ExpireCharge(ctx context.Context, auth *kessai.Auth, id string) (*kessai.Charge, error) {
	return s.expire(ctx, auth.AccountID, auth.Livemode, id, true)
}

// expire makes a charge expire: an authorized one by reversing its
// authorization, an unauthorized one (waiting for 3-D Secure) at once.
// With anyTime false it expires only charges past their expires_at.
func (s *Service) expire(ctx context.Context, accountID string, livemode bool, id string, anyTime bool) (*kessai.Charge, error) {
	var ch *kessai.Charge
	done := false
	err := s.db.Write(ctx, func(tx *sqlstore.Tx) error {
		c, err := tx.FindCharge(accountID, livemode, id)
		if err != nil {
			return err
		}
		if err := c.CheckExpire(); err != nil {
			return err
		}
		if !anyTime && !c.PastExpiry(tx.Now) {
			return kessai.Errorf(kessai.EFailedExpire, "charge has not reached its expiry")
		}
		if c.AuthorizedAt != nil {
			c.MarkInflight(kessai.InflightExpire, tx.Now)
			ch = c
			return tx.UpdateCharge(c)
		}
		// Nothing to reverse: the charge expires in this write.
		c.MarkExpired(tx.Now)
		done = true
		if err := tx.UpdateCharge(c); err != nil {
			return err
		}
		return addEvent(tx, kessai.EventChargeExpire, c.AccountID, c.Livemode, c.ID, c)
	})
	if err != nil {
		return nil, err
	}
	if done {
		return s.db.FindCharge(ctx, accountID, livemode, id)
	}
	return s.reverse(detach(ctx), ch)
}
