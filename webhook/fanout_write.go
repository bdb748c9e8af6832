package webhook

import (
	"context"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/sqlstore"
)

// fanWrite is one round of [Worker.fanOut] waiting for its write: the
// deliveries to store and how far the cursor moves once they are.
type fanWrite struct {
	evs  []*kessai.Event
	ds   []*sqlstore.Delivery
	upTo int64
	// early are the deliveries started before the write; earlySrc the
	// stored forms of them, in the same order.
	early    []*job
	earlySrc []*sqlstore.Delivery
	jobs     []*job
}

// shutdownWrite bounds how long the fan-outs still queued at shutdown may
// take to commit, so that the deliveries already made are recorded.
const shutdownWrite = 5 * time.Second

// writeFanOuts commits the queued fan-out writes, in order and merged into
// one write when several are waiting, so that the loop reading events
// never waits in the commit queue: on PostgreSQL under load that wait was
// most of the delay from an event's commit to its delivery. A write moves
// the cursor only over seqs whose deliveries it or an earlier write
// stored. When one fails, it and every write queued behind it (computed
// on the assumption it would succeed) are dropped and their events read
// again. Returns once Run's loop has stopped and the queue is written.
func (w *Worker) writeFanOuts(ctx context.Context) {
	for {
		select {
		case <-w.writeReady:
			w.flushFanOuts(ctx)
		case <-w.stopWrites:
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownWrite)
			w.flushFanOuts(ctx)
			cancel()
			return
		}
	}
}

// flushFanOuts writes what is queued until nothing is.
func (w *Worker) flushFanOuts(ctx context.Context) {
	for {
		w.mu.Lock()
		batch := w.writes
		w.writes = nil
		w.mu.Unlock()
		if len(batch) == 0 {
			return
		}
		var ds []*sqlstore.Delivery
		var upTo int64
		for _, fw := range batch {
			ds = append(ds, fw.ds...)
			upTo = max(upTo, fw.upTo)
		}
		// Retried at once: the early deliveries have started, and two
		// nodes' fan-outs can deadlock on PostgreSQL.
		err := w.storeFanOut(ctx, ds, upTo)
		for try := 1; err != nil && try < fanOutTries && ctx.Err() == nil; try++ {
			w.cfg.Logger.Debug("webhook fan-out retried", "err", err)
			err = w.storeFanOut(ctx, ds, upTo)
		}
		if err != nil {
			if ctx.Err() == nil {
				w.cfg.Logger.Warn("webhook fan-out", "err", err)
			}
			w.fanOutFailed(batch)
			continue
		}
		w.fanOutStored(ctx, batch, ds, upTo)
	}
}

// fanOutStored finishes the rounds of a committed fan-out write: the
// deliveries stored are announced on the bus, those claimed are queued, the
// early ones learn whether they were stored as this worker's, and the feed
// learns that the cursor moved.
func (w *Worker) fanOutStored(ctx context.Context, batch []*fanWrite, ds []*sqlstore.Delivery, upTo int64) {
	if w.cfg.Bus != nil {
		var ids []string
		for _, d := range ds {
			if d.Stored {
				ids = append(ids, d.ID)
			}
		}
		if len(ids) > 0 {
			if err := w.cfg.Bus.Publish(ctx, ids); err != nil {
				w.cfg.Logger.Warn("webhook bus", "err", err)
			}
		}
	}
	until := time.Now().Add(w.cfg.Lease)
	w.mu.Lock()
	if upTo > w.written {
		w.written = upTo
		close(w.moved)
		w.moved = make(chan struct{})
	}
	for s := range w.fanned {
		if s <= upTo {
			delete(w.fanned, s)
		}
	}
	var closing []*job
	for _, fw := range batch {
		for i, j := range fw.early {
			j.d.ID, j.claimed = fw.earlySrc[i].ID, fw.earlySrc[i].Claimed
		}
		closing = append(closing, fw.early...)
		for _, j := range fw.jobs {
			if !j.pend {
				continue // started already, or never claimed
			}
			j.pend = false
			w.pending--
			if !j.d.Claimed {
				// Another node held it: it delivers.
				w.leftOver.Store(true)
				continue
			}
			j.until = until
			w.queue[j.host] = append(w.queue[j.host], j)
			w.queued++
		}
	}
	w.mu.Unlock()
	for _, j := range closing {
		close(j.stored)
	}
	w.pump(ctx)
}

// fanOutFailed drops a failed fan-out write and every write queued behind
// it: their events are read again by the next round (the own ones as
// another process's, so that a delivery already made is not made at once
// again), and the early deliveries learn that they were not stored.
// Called from writeFanOuts only.
func (w *Worker) fanOutFailed(batch []*fanWrite) {
	w.mu.Lock()
	batch = append(batch, w.writes...)
	w.writes = nil
	var closing []*job
	lowest := int64(-1)
	for _, fw := range batch {
		for _, e := range fw.evs {
			delete(w.fanned, e.Seq)
			if lowest < 0 || e.Seq < lowest {
				lowest = e.Seq
			}
		}
		for _, j := range fw.jobs {
			if j.pend {
				j.pend = false
				w.pending--
			}
		}
		closing = append(closing, fw.early...)
	}
	// Below the failed seqs, so that the next round reads them again
	// rather than waiting for them as a gap.
	if lowest > 0 && w.hi >= lowest {
		w.hi = max(lowest-1, w.written)
	}
	w.mu.Unlock()
	for _, j := range closing {
		close(j.stored) // claimed stays false: the attempt was one more
	}
	w.wakeUp()
}

// storeFanOut is one try of a fan-out write.
func (w *Worker) storeFanOut(ctx context.Context, ds []*sqlstore.Delivery, upTo int64) error {
	if f := w.failFanOut; f != nil {
		if err := f(); err != nil {
			return err
		}
	}
	return w.cfg.DB.FanOut(ctx, ds, upTo, w.claim, w.cfg.Lease)
}
