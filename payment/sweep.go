package payment

import (
	"context"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/sqlstore"
)

// batch is how many charges a sweep or recovery pass reads at a time.
const batch = 100

// Sweep expires every open authorization past its expires_at, reversing it
// on the network, and returns how many it expired. A charge another node is
// working on, or whose reversal the network refuses, is left for the next
// sweep.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	n := 0
	for {
		list, err := s.db.ExpiringCharges(ctx, s.now(), batch)
		if err != nil {
			return n, err
		}
		progress := 0
		for _, c := range list {
			if _, err := s.expire(ctx, c.AccountID, c.Livemode, c.ID, false); err != nil {
				s.log.Warn("payment: expire charge", "charge", c.ID, "err", err)
				continue
			}
			progress++
		}
		n += progress
		if len(list) < batch || progress == 0 || ctx.Err() != nil {
			return n, ctx.Err()
		}
	}
}

// Recover settles the operations sent to the network before before whose
// answer was never recorded (the process died, or the database failed,
// while they were in flight), and returns how many it settled:
//
//   - an authorization is reversed and its charge failed with failure code
//     timeout (the link's reversal is harmless when nothing was approved);
//   - a capture is sent again (the link answers a repeat with the recorded
//     answer, or repeats the same advice);
//   - a reversal or expiry is sent again (the link queues a reversal once);
//   - a refund is closed or failed as the link's record of it says, when
//     the service has [Config.Records].
//
// Call it at startup; [Service.Run] also calls it periodically for
// operations older than RecoverAfter. An operation that cannot be settled
// now is logged and left for the next pass.
func (s *Service) Recover(ctx context.Context, before time.Time) (int, error) {
	n := 0
	for {
		list, err := s.db.InflightCharges(ctx, before, batch)
		if err != nil {
			return n, err
		}
		progress := 0
		for _, c := range list {
			if err := s.recoverCharge(detach(ctx), c); err != nil {
				s.log.Warn("payment: recover charge", "charge", c.ID, "inflight", c.Inflight, "err", err)
				continue
			}
			progress++
		}
		n += progress
		if len(list) < batch || progress == 0 || ctx.Err() != nil {
			break
		}
	}
	m, err := s.recoverRefunds(detach(ctx), before)
	return n + m, err
}

func (s *Service) recoverCharge(ctx context.Context, c *kessai.Charge) error {
	switch c.Inflight {
	case kessai.InflightAuthorize:
		_, err := s.link.Reverse(ctx, &kessai.NetworkReverseRequest{Reference: c.ID})
		if err != nil && kessai.ErrorCode(err) != kessai.EFailedReverse {
			return err
		}
		return s.db.Write(ctx, func(tx *sqlstore.Tx) error {
			c.MarkFailed("timeout", "")
			if err := tx.UpdateCharge(c); err != nil {
				return err
			}
			if c.TokenID != "" {
				if err := s.vault.SetTokenChargeStatus(tx, c.TokenID, string(c.Status)); err != nil {
					return err
				}
			}
			return addEvent(tx, kessai.EventChargeCreate, c.AccountID, c.Livemode, c.ID, c)
		})
	case kessai.InflightCapture:
		_, err := s.capture(ctx, c, c.CapturedAmount, true)
		return err
	case kessai.InflightReverse, kessai.InflightExpire:
		_, err := s.reverse(ctx, c)
		return err
	}
	return nil
}
