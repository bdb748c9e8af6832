package sqlstore

import (
	"sync"
	"sync/atomic"
)

// EventHooks are called for every event a write transaction of this
// process inserts; writes of other processes do not call them. They run in
// the writing goroutines, must return quickly and must not write.
type EventHooks struct {
	// Inserted, when not nil, is called with the event's id as it is
	// inserted, before its transaction commits (which may still roll
	// back): before any reader can see it.
	Inserted func(eventID string)
	// Committed, when not nil, is called with the event's id once its
	// transaction has committed: the webhook worker's wake-up.
	Committed func(eventID string)
}

// commitHooks is the list of [EventHooks] registered with [DB.OnEvents].
type commitHooks struct {
	mu sync.Mutex
	hs atomic.Pointer[[]EventHooks]
}

// OnEvents registers h.
func (db *DB) OnEvents(h EventHooks) {
	c := &db.onEvents
	c.mu.Lock()
	defer c.mu.Unlock()
	var hs []EventHooks
	if p := c.hs.Load(); p != nil {
		hs = append(hs, *p...)
	}
	hs = append(hs, h)
	c.hs.Store(&hs)
}

// eventInserted runs the hooks of an inserted event and registers those
// to run after its transaction commits.
func (tx *Tx) eventInserted(id string) {
	p := tx.db.onEvents.hs.Load()
	if p == nil {
		return
	}
	for _, h := range *p {
		if h.Inserted != nil {
			h.Inserted(id)
		}
		if h.Committed != nil {
			f := h.Committed
			tx.AfterCommit(func() { f(id) })
		}
	}
}
