package iso8583link

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/moov-io/iso8583"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/iso8583msg"
)

// Reasons for a reversal.
const (
	ReasonTimeout        = "timeout"
	ReasonConnectionLost = "connection_lost"
	ReasonMalformed      = "malformed_answer"
	ReasonUnrecorded     = "answer_not_recorded"
	ReasonVoid           = "void"
	ReasonStale          = "stale"
)

// exchange records rec as pending, sends raw (whose answer has match key
// key) on c and returns the answer, decoded into resp, once it is
// recorded. A request that got no usable answer is given up; when reverse
// is set (authorizations, refunds) a reversal is queued with it. Fails
// with unavailable() when nothing was sent and timedOut() when the answer
// is lost.
func (l *Link) exchange(ctx context.Context, c *conn, rec *kessai.NetworkMessage, raw []byte, key string, reverse bool, resp any) error {
	if err := l.store.CreateNetworkMessage(ctx, rec); err != nil {
		return fmt.Errorf("iso8583link: record request: %w", err)
	}
	m, err := l.send(ctx, c, rec, raw, key, reverse, resp)
	if err != nil {
		return err
	}
	// Whatever happens to the caller's context from here, the outcome
	// must be recorded.
	bg := context.WithoutCancel(ctx)
	code, approval := answerCodes(m)
	ok, err := l.store.AnswerNetworkMessage(bg, rec.ID, code, approval)
	if err != nil {
		// The answer cannot be kept: the outcome must not be used.
		l.log.Error("could not record an answer", "ref", rec.Reference, "err", err)
		l.giveUp(bg, rec, ReasonUnrecorded, reverse)
		return timedOut()
	}
	if !ok {
		// The stale sweep gave the request up meanwhile.
		return timedOut()
	}
	return nil
}

// send sends raw, the request recorded (pending) as rec, on c and returns
// the answer, also decoded into resp, without recording it. A request that
// got no usable answer is given up, with its reversal queued when reverse
// is set; one that could not be sent is recorded as not sent.
func (l *Link) send(ctx context.Context, c *conn, rec *kessai.NetworkMessage, raw []byte, key string, reverse bool, resp any) (*iso8583.Message, error) {
	// Whatever happens to the caller's context from here, the outcome
	// must be recorded.
	bg := context.WithoutCancel(ctx)
	tctx, cancel := context.WithTimeout(ctx, l.cfg.Timeout)
	observed := l.observe(rec.MTI)
	m, err := c.roundTrip(tctx, raw, key)
	cancel()
	observed(err)
	switch {
	case errors.Is(err, errNotSent):
		l.notSent(bg, rec)
		return nil, unavailable()
	case errors.Is(err, errLost):
		l.giveUp(bg, rec, ReasonConnectionLost, reverse)
		return nil, timedOut()
	case err != nil:
		l.giveUp(bg, rec, ReasonTimeout, reverse)
		return nil, timedOut()
	}
	if err := iso8583msg.Decode(m, resp); err != nil {
		l.log.Warn("malformed answer", "ref", rec.Reference, "err", err)
		l.giveUp(bg, rec, ReasonMalformed, reverse)
		return nil, timedOut()
	}
	return m, nil
}

// answerCodes returns DE39 and DE38 of an answer.
func answerCodes(m *iso8583.Message) (code, approval string) {
	code, _ = m.GetString(39)
	approval, _ = m.GetString(38)
	return code, approval
}

// giveUp marks a pending request unanswered and, when reverse is set,
// queues its reversal in the same transaction. A failure leaves the
// request pending: the stale sweep reverses it later.
func (l *Link) giveUp(ctx context.Context, rec *kessai.NetworkMessage, reason string, reverse bool) {
	var rev *kessai.NetworkReversal
	if reverse {
		stan, err := l.nextSTAN(ctx, rec.TerminalID)
		if err != nil {
			l.log.Error("reversal not queued yet, the stale sweep will", "ref", rec.Reference, "err", err)
			return
		}
		rev = &kessai.NetworkReversal{Reason: reason, STAN: stan, TransmittedAt: l.now()}
	}
	ok, err := l.store.AbandonNetworkMessage(ctx, rec.ID, kessai.NetworkUnanswered, rev)
	switch {
	case err != nil:
		l.log.Error("reversal not queued yet, the stale sweep will", "ref", rec.Reference, "err", err)
	case ok && rev != nil:
		l.log.Warn("no answer from the issuer host, reversal queued", "ref", rec.Reference, "mti", rec.MTI,
			"stan", rec.STAN, "reason", reason)
		l.kick()
	case ok:
		l.log.Warn("no answer from the issuer host", "ref", rec.Reference, "mti", rec.MTI, "stan", rec.STAN, "reason", reason)
	}
}

// now returns the link's time in UTC, to the second (DE7's precision).
func (l *Link) now() time.Time { return l.cfg.Now().UTC().Truncate(time.Second) }

// trace returns the trace of a new request from a terminal, with its STAN.
func (l *Link) trace(ctx context.Context, terminalID, merchantID string, at time.Time) (iso8583msg.Trace, error) {
	stan, err := l.nextSTAN(ctx, terminalID)
	if err != nil {
		return iso8583msg.Trace{}, err
	}
	return iso8583msg.Trace{
		TransmissionTime: iso8583msg.TransmissionTime(at),
		STAN:             stan,
		AcquirerID:       l.cfg.AcquirerID,
		TerminalID:       terminalID,
		MerchantID:       merchantID,
	}, nil
}

// terminal returns the terminal id to use; it fails with EInvalidCharge
// for one longer than DE41 holds.
func (l *Link) terminal(id string) (string, error) {
	if id == "" {
		return l.cfg.TerminalID, nil
	}
	if len(id) > 8 || !printable(id) {
		return "", kessai.Errorf(kessai.EInvalidCharge, "terminal id must be at most 8 printable characters")
	}
	return id, nil
}

// merchant returns DE42 for a merchant id: its last 15 characters.
func merchant(id string) string {
	if len(id) > 15 {
		id = id[len(id)-15:]
	}
	if !printable(id) {
		return ""
	}
	return id
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
