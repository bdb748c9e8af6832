package iso8583link

import (
	"context"
	"sync"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/iso8583msg"
)

// Reverse queues a reversal (void) of the approved authorization of
// req.Reference and makes a first attempt at once; see
// [kessai.NetworkLink]. Without req.NetworkRef, an authorization of the
// reference still awaiting its answer (a recovery pass after a crash) is
// given up and its reversal queued too; when that is all there is, Reverse
// returns an undelivered result rather than EFailedReverse.
func (l *Link) Reverse(ctx context.Context, req *kessai.NetworkReverseRequest) (*kessai.NetworkReverseResult, error) {
	if err := l.enter(); err != nil {
		return nil, err
	}
	defer l.calls.Done()
	// An authorization of the reference still awaiting its answer (its
	// sender died: this is a recovery pass) is given up and reversed now,
	// rather than by the stale sweep much later. Giving up is a
	// compare-and-set: an answer recorded first wins, and is found below.
	gaveUp := false
	if req.NetworkRef == "" {
		var err error
		if gaveUp, err = l.giveUpPending(ctx, req.Reference); err != nil {
			return nil, err
		}
	}
	auth, err := l.findAuthorization(ctx, req.Reference, req.NetworkRef, kessai.EFailedReverse)
	if err != nil {
		if gaveUp && kessai.ErrorCode(err) == kessai.EFailedReverse {
			return &kessai.NetworkReverseResult{}, nil
		}
		return nil, err
	}
	stan, err := l.nextSTAN(ctx, auth.TerminalID)
	if err != nil {
		return nil, err
	}
	rev, err := l.store.QueueReversal(ctx, &kessai.NetworkReversal{
		MessageID: auth.ID, Reason: ReasonVoid, STAN: stan, TransmittedAt: l.now(),
	})
	if err != nil {
		return nil, err
	}
	if rev.Status != kessai.ReversalQueued {
		return &kessai.NetworkReverseResult{Delivered: rev.Status == kessai.ReversalDone, ResponseCode: rev.ResponseCode}, nil
	}
	rev.Message = auth
	code, ok := l.deliver(context.WithoutCancel(ctx), rev)
	if !ok {
		l.kick()
	}
	return &kessai.NetworkReverseResult{Delivered: ok, ResponseCode: code}, nil
}

// giveUpPending gives up the authorizations of reference still recorded
// as pending, queuing their reversals, and reports whether it gave up any.
func (l *Link) giveUpPending(ctx context.Context, reference string) (bool, error) {
	msgs, err := l.store.FindNetworkMessages(ctx, reference)
	if err != nil {
		return false, err
	}
	n := 0
	for _, m := range msgs {
		if isAuthorization(m) && m.Status == kessai.NetworkPending {
			l.giveUp(context.WithoutCancel(ctx), m, ReasonStale, true)
			n++
		}
	}
	return n > 0, nil
}

// reversals drains the reversal queue and sweeps stale requests, when
// woken and every PollInterval, until the link closes.
func (l *Link) reversals() {
	defer l.wg.Done()
	t := time.NewTicker(l.cfg.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-l.done:
			return
		case <-l.wake:
		case <-t.C:
		}
		l.sweep(l.ctx)
		l.drain(l.ctx)
	}
}

// maxParallelReversals bounds the reversals in flight at once.
const maxParallelReversals = 16

// drain sends the due reversals, several at a time. It takes another
// page only when a page was full.
func (l *Link) drain(ctx context.Context) {
	const page = 4 * maxParallelReversals
	for l.connected() != nil && ctx.Err() == nil {
		due, err := l.store.DueReversals(ctx, l.cfg.Now(), page)
		if err != nil {
			l.log.Error("reversal queue unreadable", "err", err)
			return
		}
		sem := make(chan struct{}, maxParallelReversals)
		var wg sync.WaitGroup
		for _, rev := range due {
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				l.deliver(ctx, rev)
			}()
		}
		wg.Wait()
		if len(due) < page {
			return
		}
	}
}

// deliver makes one attempt at a queued reversal: it records the attempt
// (which claims it among gateway nodes), sends 0400 the first time and
// 0401 after, and finishes the reversal on any 0410 but an outage answer
// (91, 96), which is retried like no answer. It returns the
// issuer's response code and whether the reversal was acknowledged.
func (l *Link) deliver(ctx context.Context, rev *kessai.NetworkReversal) (string, bool) {
	c := l.connected()
	if c == nil {
		return "", false
	}
	orig := rev.Message
	now := l.cfg.Now()
	if now.Sub(rev.CreatedAt) > l.cfg.RetryHorizon {
		if err := l.store.FinishReversal(ctx, rev.ID, kessai.ReversalExpired, ""); err != nil {
			l.log.Error("reversal not marked expired", "ref", orig.Reference, "err", err)
			return "", false
		}
		l.log.Error("reversal expired unacknowledged: reconcile by hand", "ref", orig.Reference, "stan", orig.STAN,
			"reversal_stan", rev.STAN, "attempts", rev.Attempts)
		return "", false
	}
	next := now.Add(l.cfg.Timeout + l.backoff(rev.Attempts))
	if ok, err := l.store.ClaimReversal(ctx, rev.ID, rev.Attempts, next); err != nil || !ok {
		if err != nil {
			l.log.Error("reversal attempt not recorded", "ref", orig.Reference, "err", err)
		}
		return "", false
	}
	mti := iso8583msg.MTIReversal
	if rev.Attempts > 0 {
		mti = iso8583msg.MTIReversalRepeat
	}
	hhmmss, mmdd := iso8583msg.LocalTime(rev.TransmittedAt)
	msg := &iso8583msg.ReversalRequest{
		MTI: mti, ProcessingCode: orig.ProcessingCode, Amount: orig.Amount,
		Trace: iso8583msg.Trace{
			TransmissionTime: iso8583msg.TransmissionTime(rev.TransmittedAt), STAN: rev.STAN,
			AcquirerID: orig.AcquirerID, TerminalID: orig.TerminalID, MerchantID: orig.MerchantID,
		},
		LocalTime: hhmmss, LocalDate: mmdd, RRN: orig.RRN, ApprovalCode: orig.ApprovalCode, Currency: orig.Currency,
		Original:   originalOf(orig),
		Additional: &iso8583msg.Additional{Reference: orig.Reference},
	}
	raw, err := iso8583msg.Pack(msg)
	if err != nil {
		l.log.Error("reversal does not pack", "ref", orig.Reference, "err", err)
		return "", false
	}
	tctx, cancel := context.WithTimeout(ctx, l.cfg.Timeout)
	observed := l.observe(mti)
	m, err := c.roundTrip(tctx, raw, iso8583msg.MatchKey(mti, orig.TerminalID, rev.STAN))
	cancel()
	observed(err)
	if err != nil {
		l.log.Info("reversal not acknowledged, will retry", "ref", orig.Reference, "mti", mti, "stan", rev.STAN,
			"attempt", rev.Attempts+1, "next", next, "err", err)
		return "", false
	}
	code, _ := answerCodes(m)
	if code == iso8583msg.IssuerInoperative || code == iso8583msg.SystemMalfunction {
		// An outage answer: the issuer did not process the reversal.
		l.log.Warn("reversal refused by an outage, will retry", "ref", orig.Reference, "mti", mti, "stan", rev.STAN,
			"code", code, "attempt", rev.Attempts+1, "next", next)
		return code, false
	}
	if err := l.store.FinishReversal(context.WithoutCancel(ctx), rev.ID, kessai.ReversalDone, code); err != nil {
		l.log.Error("reversal acknowledgement not recorded, will repeat", "ref", orig.Reference, "err", err)
		return code, false
	}
	l.log.Info("reversal acknowledged", "ref", orig.Reference, "mti", mti, "stan", rev.STAN, "code", code,
		"reason", rev.Reason, "attempts", rev.Attempts+1)
	return code, true
}

// backoff returns the wait after the given number of failed attempts:
// RetryMin doubled each time, at most RetryMax, with jitter.
func (l *Link) backoff(attempts int) time.Duration {
	d := l.cfg.RetryMin
	for i := 0; i < attempts && d < l.cfg.RetryMax; i++ {
		d *= 2
	}
	return jitter(min(d, l.cfg.RetryMax))
}

// sweep gives up requests left pending longer than StaleAfter (their
// sender died) and queues the reversal of authorizations and refunds
// among them.
func (l *Link) sweep(ctx context.Context) {
	stale, err := l.store.StaleNetworkMessages(ctx, l.cfg.Now().Add(-l.cfg.StaleAfter), 100)
	if err != nil {
		l.log.Error("stale requests unreadable", "err", err)
		return
	}
	for _, m := range stale {
		reverse := m.MTI == iso8583msg.MTIAuthorization || m.MTI == iso8583msg.MTIFinancial
		l.giveUp(ctx, m, ReasonStale, reverse)
	}
}
