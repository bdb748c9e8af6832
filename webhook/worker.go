package webhook

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/sqlstore"
)

// Config holds a [Worker]'s dependencies and settings; a zero setting takes
// its default.
type Config struct {
	DB       *sqlstore.DB
	Accounts *sqlstore.AccountService
	Logger   *slog.Logger
	// Workers bounds the deliveries in flight on this node. Default 64.
	Workers int
	// PerHost bounds the deliveries in flight to one host, so that a slow
	// endpoint holds at most this many workers (a quarter of them by
	// default). Default 16: with 4, one busy merchant's deliveries queued
	// behind each other at about 400/s and the delay from commit to
	// delivery grew to seconds under the charges benchmark load.
	PerHost int
	// Timeout is how long an endpoint has to answer. Default 10 s.
	Timeout time.Duration
	// Poll is how often the worker looks for new events and due retries
	// when nothing wakes it: this process's commits of events do, at once,
	// so Poll bounds how late another node's events are seen. Default
	// 250 ms.
	Poll time.Duration
	// FirstRetry is the delay before the first retry; each further one
	// doubles it (with ±20% jitter) up to MaxRetry. Defaults 1 s and 6 h.
	FirstRetry, MaxRetry time.Duration
	// GiveUp is how long after its creation a delivery is retried before it
	// is marked failed. Default 72 h.
	GiveUp time.Duration
	// Settle is how long a gap in event seqs (a transaction that took a seq
	// and has not committed yet, or rolled back) holds the cursor back.
	// Default 10 s.
	Settle time.Duration
	// Lease is how long a claimed delivery stays with its worker before
	// another may take it (the worker died). Default Timeout + 5 s: an
	// attempt never takes longer than Timeout.
	Lease time.Duration
	// Observe, when set, is called after each attempt is recorded, with
	// the state the delivery is left in and the time since it was created.
	// For metrics; it must not block.
	Observe func(state string, sinceCreated time.Duration)
	// Handoff is how long after its creation an event committed by
	// another process is left to that process's worker (which sends it at
	// once): this worker stores its deliveries unclaimed and due then, so
	// that they are delivered by the other node unless it died. Default 1 s.
	Handoff time.Duration
	// Retention is how long delivery attempts and finished deliveries are
	// kept (an event then shows no webhook_deliveries). Default 30 days.
	Retention time.Duration
	// Bus, when set, shares the deliveries between nodes: those this
	// node stores are announced on it instead of claimed, and each node
	// claims those it receives (see package natsfanout). A delivery whose
	// announcement is lost is claimed from the database after Handoff.
	Bus Bus
	// TLS, when set, is the client TLS configuration (tests and dev mode
	// add their CA to it). TLS 1.2 is the minimum either way.
	TLS *tls.Config
}

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if c.Workers <= 0 {
		c.Workers = 64
	}
	if c.PerHost <= 0 {
		c.PerHost = 16
	}
	def(&c.Timeout, 10*time.Second)
	def(&c.Poll, 250*time.Millisecond)
	def(&c.FirstRetry, time.Second)
	def(&c.MaxRetry, 6*time.Hour)
	def(&c.GiveUp, 72*time.Hour)
	def(&c.Settle, 10*time.Second)
	def(&c.Handoff, time.Second)
	def(&c.Retention, 30*24*time.Hour)
	def(&c.Lease, c.Timeout+5*time.Second)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Bus carries the ids of stored deliveries to the nodes that deliver them;
// every id published reaches one node's take (again, if take fails or the
// node dies before it returns).
type Bus interface {
	Publish(ctx context.Context, deliveryIDs []string) error
	Consume(ctx context.Context, take func(ctx context.Context, deliveryID string) error) error
}

// excerptBytes bounds the response excerpt kept per attempt; drainBytes
// bounds what is read of a response at all.
const (
	excerptBytes = 1 << 10
	drainBytes   = 64 << 10
)

// Worker fans events out into deliveries and delivers them.
//
// It is woken by every commit of this process that inserts events
// ([sqlstore.DB.OnEvents]) and polls every Poll for those of other
// nodes and for due retries. The deliveries it fans out it also claims (up
// to a backlog of about twice its workers) and queues in memory per host,
// so that a delivery starts as soon as a worker and a slot of its host are
// free, without another database round trip. What it cannot take on (see
// backlog) it leaves unclaimed, for any node to claim.
type Worker struct {
	cfg   Config
	claim string
	test  *http.Client
	live  *http.Client
	wake  chan struct{}
	// claimNow asks the next round to look for due deliveries at once
	// (a redelivery on demand).
	claimNow atomic.Bool

	mu       sync.Mutex
	inflight int               // attempts waiting for an answer
	perHost  map[string]int    // of inflight, per host
	queue    map[string][]*job // claimed deliveries not started, per host
	queued   int               // total in queue
	fanned   map[int64]bool    // seqs above the cursor already fanned out
	own      map[string]bool   // events this process committed, not yet fanned out
	ownOld   map[string]bool   // the generation of own before
	hi       int64             // the highest seq fanned out or being written
	gapSeq   int64             // the first missing seq above the cursor (Run only)
	gapSince time.Time         // when this worker first saw gapSeq missing
	moved    chan struct{}     // closed and replaced when the cursor moves
	wg       sync.WaitGroup

	// The fan-out writes not yet taken by writeFanOuts, in order; the
	// cursor as the last of them that committed left it; and the claimed
	// deliveries they hold that are not in queue yet.
	writes     []*fanWrite
	written    int64
	pending    int
	writeReady chan struct{}
	// leftOver is set when a fan-out write found deliveries it meant to
	// claim held by another node: the next round looks for due ones.
	leftOver atomic.Bool
	// failFanOut, set by tests before Run, fails a fan-out write's try
	// when it returns an error.
	failFanOut func() error
	// stopWrites is closed when Run's loop has stopped: writeFanOuts
	// writes what is left and returns.
	stopWrites chan struct{}
}

// job is a claimed delivery waiting for, or making, its attempt.
type job struct {
	d     *sqlstore.Delivery
	e     *kessai.Event // nil: read when sent
	host  string
	until time.Time // the claim's lease ends
	// stored, when not nil, is closed once the fan-out write that stores
	// the delivery has finished, with claimed telling whether it stored
	// it claimed by this worker: the delivery of an event this process
	// committed starts before that write, and its attempt is recorded
	// after it.
	stored  chan struct{}
	claimed bool
	// pend is set while the job is claimed in a fan-out write that has
	// not committed yet (counted in Worker.pending).
	pend bool
}

// New returns a worker; [Worker.Run] starts it. A process runs one worker
// per database: the worker takes every event the process commits as its
// own to deliver.
func New(cfg Config) *Worker {
	cfg = cfg.withDefaults()
	b := make([]byte, 8)
	rand.Read(b)
	w := &Worker{
		cfg:     cfg,
		claim:   hex.EncodeToString(b),
		wake:    make(chan struct{}, 1),
		perHost: map[string]int{},
		queue:   map[string][]*job{},
		fanned:  map[int64]bool{},
		own:     map[string]bool{},
		moved:   make(chan struct{}),

		writeReady: make(chan struct{}, 1),
		stopWrites: make(chan struct{}),
	}
	w.test = w.client(false)
	w.live = w.client(true)
	if cfg.DB != nil {
		cfg.DB.OnEvents(sqlstore.EventHooks{Inserted: w.inserted, Committed: func(string) { w.wakeUp() }})
	}
	return w
}

func (w *Worker) client(live bool) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	if live {
		d.Control = publicOnly
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if w.cfg.TLS != nil {
		tc = w.cfg.TLS.Clone()
		if tc.MinVersion < tls.VersionTLS12 {
			tc.MinVersion = tls.VersionTLS12
		}
	}
	return &http.Client{
		Timeout: w.cfg.Timeout,
		Transport: &http.Transport{
			DialContext:           d.DialContext,
			TLSClientConfig:       tc,
			TLSHandshakeTimeout:   5 * time.Second,
			ResponseHeaderTimeout: w.cfg.Timeout,
			MaxIdleConnsPerHost:   w.cfg.PerHost,
			IdleConnTimeout:       90 * time.Second,
		},
		// A redirect is an answer, not a delivery: it is not followed.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Notify wakes the worker now rather than at its next poll, to fan out
// new events and to claim due deliveries (a redelivery, another node's
// events).
func (w *Worker) Notify() {
	w.claimNow.Store(true)
	w.wakeUp()
}

// inserted notes an event this process is committing, before any reader
// can see it.
func (w *Worker) inserted(eventID string) {
	w.mu.Lock()
	if len(w.own) >= maxOwn {
		w.ownOld, w.own = w.own, map[string]bool{}
	}
	w.own[eventID] = true
	w.mu.Unlock()
}

// isOwn reports whether this process committed the event (lately).
// Called with w.mu held.
func (w *Worker) isOwn(eventID string) bool { return w.own[eventID] || w.ownOld[eventID] }

// maxOwn bounds the event ids kept by [Worker.inserted], twice over (the
// current and the previous generation; ids of rolled-back events are only
// dropped that way).
const maxOwn = 50000

// wakeUp wakes the worker to fan out new events.
func (w *Worker) wakeUp() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// CursorMoved returns a channel closed the next time this worker moves the
// delivery cursor (new events are in the feed).
func (w *Worker) CursorMoved() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.moved
}

// Run fans out and delivers until ctx ends, then waits for the deliveries
// in flight.
func (w *Worker) Run(ctx context.Context) error {
	defer w.wg.Wait()
	w.wg.Go(func() { w.writeFanOuts(ctx) })
	defer close(w.stopWrites)
	if w.cfg.Bus != nil {
		w.wg.Go(func() {
			if err := w.cfg.Bus.Consume(ctx, w.take); err != nil {
				w.cfg.Logger.Error("webhook bus", "err", err)
			}
		})
	}
	t := time.NewTicker(w.cfg.Poll)
	defer t.Stop()
	// Due retries and deliveries left unclaimed are looked for at most
	// this often, unless asked (Notify): the first retry waits FirstRetry
	// anyway.
	claimEvery := min(250*time.Millisecond, w.cfg.FirstRetry/4)
	var lastClaim, lastSweep time.Time
	for {
		left, err := w.fanOut(ctx)
		if err != nil && ctx.Err() == nil {
			w.cfg.Logger.Warn("webhook fan-out", "err", err)
		}
		left = w.leftOver.Swap(false) || left
		since := time.Since(lastClaim)
		if w.claimNow.Swap(false) || since >= claimEvery || (left && since >= claimEvery/8 && w.spare() > 0) {
			lastClaim = time.Now()
			if err := w.dispatch(ctx); err != nil && ctx.Err() == nil {
				w.cfg.Logger.Warn("webhook dispatch", "err", err)
			}
		}
		if time.Since(lastSweep) >= sweepEvery {
			lastSweep = time.Now()
			n, err := w.cfg.DB.SweepWebhooks(ctx, w.cfg.DB.Now().Add(-w.cfg.Retention), sweepBatch)
			if err != nil && ctx.Err() == nil {
				w.cfg.Logger.Warn("webhook retention sweep", "err", err)
			}
			if n > 0 {
				lastSweep = lastSweep.Add(-sweepEvery + time.Second) // more: again soon
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-w.wake:
		}
	}
}

// The retention sweep deletes up to sweepBatch rows of each kind every
// sweepEvery, and again a second later while it finds some.
const (
	sweepEvery = time.Hour
	sweepBatch = 1000
)

// spare returns how many more deliveries this node takes on now: backlog
// times its workers, less those in flight or queued.
func (w *Worker) spare() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return backlog*w.cfg.Workers - w.inflight - w.queued - w.pending
}

// backlog bounds the deliveries a node holds (in flight or queued), in
// workers. One host's share of them is at most one times the workers, so
// that a slow endpoint's queue leaves room for the others.
const backlog = 4

// fanOut turns the events after the cursor into deliveries and queues
// their write (see [Worker.writeFanOuts]), which also moves the cursor over
// those with no gap before them (or older than Settle). It does not wait
// for that write: the next round reads the next events while it commits.
// Events are read once: those above the highest seq fanned out so far, and
// those that fill a gap below it (a transaction that took a lower seq
// committed later, or a fan-out write that failed). It reports whether it
// left deliveries unclaimed (this node had enough to do).
func (w *Worker) fanOut(ctx context.Context) (left bool, err error) {
	db := w.cfg.DB
	for {
		cursor, last, err := db.WebhookProgress(ctx)
		if err != nil {
			return left, err
		}
		w.mu.Lock()
		// The cursor as this worker's own writes have moved it, which
		// may be ahead of what was just read.
		cursor = max(cursor, w.written)
		if last <= cursor {
			w.mu.Unlock()
			return left, nil
		}
		if w.hi < cursor {
			w.hi = cursor
		}
		hi := w.hi
		var holes []int64
		for s := cursor + 1; s <= hi && len(holes) < maxHoles; s++ {
			if !w.fanned[s] {
				holes = append(holes, s)
			}
		}
		w.mu.Unlock()
		evs, err := db.EventsBySeq(ctx, holes)
		if err != nil {
			return left, err
		}
		const batch = 500
		var newer []*kessai.Event
		if last > hi {
			if newer, err = db.EventsAfter(ctx, "", false, hi, batch); err != nil {
				return left, err
			}
		}
		evs = append(evs, newer...)
		if len(evs) == 0 && len(holes) == 0 {
			return left, nil
		}
		targets, err := db.WebhookTargets(ctx, evs)
		if err != nil {
			return left, err
		}
		present := map[int64]bool{}
		fw := &fanWrite{evs: evs}
		w.mu.Lock()
		cursor = max(cursor, w.written)
		now := db.Now() // the clock of events' and deliveries' times
		spare := backlog*w.cfg.Workers - w.inflight - w.queued - w.pending
		hosts := map[string]int{}
		for i, e := range evs {
			present[e.Seq] = true
			for _, u := range targets[i] {
				d := &sqlstore.Delivery{EventID: e.ID, EventSeq: e.Seq, AccountID: e.AccountID, Livemode: e.Livemode, URI: u}
				// Claim what this node can hold: delivery then
				// starts without another write.
				h := hostOf(u)
				if w.cfg.Bus != nil {
					// Announced after the write; claimed from the
					// database only if that is lost.
					d.Due = now.Add(w.cfg.Handoff)
				} else if due := w.handoff(e, now); !due.IsZero() {
					// Another process committed it and sends it
					// (it claims this delivery even if stored
					// first here), unless it died.
					d.Due = due
				} else if spare > 0 && w.perHost[h]+len(w.queue[h])+hosts[h] < w.cfg.Workers {
					d.Claimed = true
					spare--
					hosts[h]++
				}
				if !d.Claimed {
					left = true
				}
				fw.ds = append(fw.ds, d)
				j := &job{d: d, e: e, host: h}
				if d.Claimed && w.isOwn(e.ID) {
					// Sent at once, recorded after the fan-out
					// write: no other node has seen this event yet,
					// so the claim is all but certain.
					d.ID = kessai.NewID(kessai.PrefixDelivery, d.Livemode)
					c := *d
					c.CreatedAt = time.Now()
					j.d, j.stored, j.until = &c, make(chan struct{}), time.Now().Add(w.cfg.Lease)
					fw.early, fw.earlySrc = append(fw.early, j), append(fw.earlySrc, d)
					w.queue[h] = append(w.queue[h], j)
					w.queued++
				} else if d.Claimed {
					j.pend = true
					w.pending++
				}
				fw.jobs = append(fw.jobs, j)
			}
			delete(w.own, e.ID)
			delete(w.ownOld, e.ID)
		}
		// The cursor moves over every seq fanned out now or before (the
		// writes still pending included: they commit in order), and over
		// a gap that has lasted Settle.
		upTo := cursor
		for s := cursor + 1; ; s++ {
			// A gap above hi is not timed yet: it has not been looked for.
			if !w.fanned[s] && !present[s] && (s > hi || !w.settled(s)) {
				break
			}
			upTo = s
		}
		fw.upTo = upTo
		for _, e := range evs {
			w.fanned[e.Seq] = true
			w.hi = max(w.hi, e.Seq)
		}
		moved := w.hi > hi
		if len(fw.ds) > 0 || upTo > cursor {
			w.writes = append(w.writes, fw)
		}
		w.mu.Unlock()
		if len(fw.early) > 0 {
			w.pump(ctx)
		}
		if len(fw.ds) > 0 || upTo > cursor {
			select {
			case w.writeReady <- struct{}{}:
			default:
			}
		}
		if len(newer) < batch || !moved {
			return left, nil
		}
	}
}

// handoff returns when a delivery of e becomes due for any node: zero for
// an event this process committed or one older than Handoff (by its
// creation, as the database's clock had it, or else by now).
// Called with w.mu held.
func (w *Worker) handoff(e *kessai.Event, now time.Time) time.Time {
	if w.isOwn(e.ID) {
		return time.Time{}
	}
	due := e.CreatedAt.Add(w.cfg.Handoff)
	if due.After(now.Add(w.cfg.Handoff)) {
		due = now.Add(w.cfg.Handoff)
	}
	if !due.After(now) {
		return time.Time{}
	}
	return due
}

// fanOutTries bounds the tries of one fan-out write.
const fanOutTries = 5

// maxHoles bounds the missing seqs below the highest fanned out that one
// round looks for.
const maxHoles = 1000

// settled reports whether the missing seq has been missing for Settle, as
// seen by this worker: then the transaction that took it is taken to have
// rolled back, and the cursor moves past it. Called with w.mu held.
func (w *Worker) settled(seq int64) bool {
	now := time.Now()
	if w.gapSeq != seq {
		w.gapSeq, w.gapSince = seq, now
		return false
	}
	return now.Sub(w.gapSince) >= w.cfg.Settle
}

// dispatch claims due deliveries (retries, redeliveries, those no node
// claimed when fanning out, those whose claim lapsed) up to this node's
// spare capacity and queues them.
func (w *Worker) dispatch(ctx context.Context) error {
	free := w.spare()
	if free <= 0 {
		return nil
	}
	batch := map[string]int{}
	busy := func(uri string) bool {
		h := hostOf(uri)
		w.mu.Lock()
		load := w.perHost[h] + len(w.queue[h])
		w.mu.Unlock()
		if load+batch[h] >= w.cfg.PerHost {
			return true
		}
		batch[h]++
		return false
	}
	ds, err := w.cfg.DB.ClaimDeliveries(ctx, w.claim, w.cfg.Lease, free, busy)
	if err != nil {
		return err
	}
	until := time.Now().Add(w.cfg.Lease)
	w.mu.Lock()
	for _, d := range ds {
		h := hostOf(d.URI)
		w.queue[h] = append(w.queue[h], &job{d: d, host: h, until: until})
		w.queued++
	}
	w.mu.Unlock()
	w.pump(ctx)
	return nil
}

// errBusy asks the bus to offer a delivery again later.
var errBusy = errors.New("webhook worker busy")

// take claims a delivery announced on the bus and queues it. Returns
// errBusy when this node has no room for it.
func (w *Worker) take(ctx context.Context, id string) error {
	if w.spare() <= 0 {
		return errBusy
	}
	d, ok, err := w.cfg.DB.ClaimDelivery(ctx, id, w.claim, w.cfg.Lease)
	if err != nil || !ok {
		return err // not claimed: delivered, held or gone
	}
	h := hostOf(d.URI)
	w.mu.Lock()
	w.queue[h] = append(w.queue[h], &job{d: d, host: h, until: time.Now().Add(w.cfg.Lease)})
	w.queued++
	w.mu.Unlock()
	w.pump(ctx)
	return nil
}

// pump starts queued deliveries while workers and their hosts' slots are
// free. A delivery whose claim would lapse before its answer is due is
// dropped instead: it is claimed again once the claim has lapsed.
func (w *Worker) pump(ctx context.Context) {
	w.mu.Lock()
	var start []*job
	deadline := time.Now().Add(w.cfg.Timeout)
	for h, q := range w.queue {
		for len(q) > 0 && w.inflight < w.cfg.Workers && w.perHost[h] < w.cfg.PerHost {
			j := q[0]
			q[0] = nil
			q = q[1:]
			w.queued--
			if j.until.Before(deadline) {
				continue
			}
			w.inflight++
			w.perHost[h]++
			start = append(start, j)
		}
		if len(q) == 0 {
			delete(w.queue, h)
		} else {
			w.queue[h] = q
		}
	}
	w.mu.Unlock()
	for _, j := range start {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			w.deliver(context.WithoutCancel(ctx), j, func() { w.answered(ctx, j.host) })
		}()
	}
}

// answered frees a worker and a slot of host: the attempt's durable record
// that follows does not hold the next delivery back (under load that
// write, not the endpoint, is most of a delivery's time).
func (w *Worker) answered(ctx context.Context, host string) {
	w.mu.Lock()
	w.inflight--
	if w.perHost[host]--; w.perHost[host] <= 0 {
		delete(w.perHost, host)
	}
	w.mu.Unlock()
	w.pump(ctx)
}

func hostOf(uri string) string {
	if u, err := url.Parse(uri); err == nil {
		return u.Host
	}
	return uri
}

// deliver makes one attempt of a claimed delivery and records it, calling
// answered between the two.
func (w *Worker) deliver(ctx context.Context, j *job, answered func()) {
	d := j.d
	a := w.attempt(ctx, j)
	answered()
	if j.stored != nil {
		if <-j.stored; !j.claimed {
			// The fan-out write failed (the event is fanned out
			// again) or another node stored the delivery first (and
			// delivers it): this attempt was one more.
			w.cfg.Logger.Debug("webhook attempt of an unstored delivery", "event", d.EventID, "status", a.Status)
			return
		}
	}
	now := w.cfg.DB.Now()
	state, next := sqlstore.DeliveryPending, now
	switch {
	case a.Status >= 200 && a.Status < 300:
		state = sqlstore.DeliveryDelivered
	case now.Sub(d.CreatedAt) >= w.cfg.GiveUp:
		state = sqlstore.DeliveryFailed
	default:
		next = now.Add(w.backoff(d.Attempts + 1))
		if end := d.CreatedAt.Add(w.cfg.GiveUp); next.After(end) {
			next = end
		}
	}
	if err := w.cfg.DB.FinishAttempt(ctx, d, w.claim, a, state, next); err != nil {
		w.cfg.Logger.Error("record webhook attempt", "delivery", d.ID, "err", err)
		return
	}
	if w.cfg.Observe != nil {
		w.cfg.Observe(state, now.Sub(d.CreatedAt))
	}
	w.cfg.Logger.Debug("webhook attempt", "delivery", d.ID, "event", d.EventID, "status", a.Status, "error", a.Error, "state", state)
}

// backoff returns the delay after the n-th failed attempt.
func (w *Worker) backoff(n int) time.Duration {
	d := w.cfg.FirstRetry
	for i := 1; i < n && d < w.cfg.MaxRetry; i++ {
		d *= 2
	}
	d = min(d, w.cfg.MaxRetry)
	jitter := 0.8 + 0.4*mrand.Float64()
	return time.Duration(float64(d) * jitter)
}

// attempt POSTs the event to the delivery's endpoint.
func (w *Worker) attempt(ctx context.Context, j *job) sqlstore.Attempt {
	start := time.Now()
	a := w.post(ctx, j)
	a.Latency = time.Since(start)
	return a
}

func (w *Worker) post(ctx context.Context, j *job) sqlstore.Attempt {
	d := j.d
	if err := CheckURL(d.URI, d.Livemode); err != nil {
		return sqlstore.Attempt{Error: err.Error()}
	}
	e := j.e
	if e == nil {
		var err error
		if e, err = w.cfg.DB.FindEvent(ctx, d.AccountID, d.Livemode, d.EventID); err != nil {
			return sqlstore.Attempt{Error: "event not found"}
		}
	}
	body, err := json.Marshal(e)
	if err != nil {
		return sqlstore.Attempt{Error: "encode event"}
	}
	secrets, err := w.cfg.Accounts.WebhookSecrets(ctx, d.AccountID, d.Livemode, "")
	if err != nil {
		return sqlstore.Attempt{Error: "signing secret unavailable"}
	}
	return Post(ctx, w.clientFor(d.Livemode), d.URI, body, secrets, time.Now())
}

func (w *Worker) clientFor(live bool) *http.Client {
	if live {
		return w.live
	}
	return w.test
}

// Post sends one signed delivery of body to uri with c and reports the
// outcome: the status (0 with Error when there was no answer) and at most
// 1 KiB of the response body.
func Post(ctx context.Context, c *http.Client, uri string, body []byte, secrets []string, now time.Time) sqlstore.Attempt {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, uri, bytes.NewReader(body))
	if err != nil {
		return sqlstore.Attempt{Error: "bad endpoint URL"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Kessai-Webhooks/1.0")
	req.Header.Set(HeaderTimestamp, itoa(now.Unix()))
	req.Header.Set(HeaderSignature, Sign(secrets, now, body))
	res, err := c.Do(req)
	if err != nil {
		return sqlstore.Attempt{Error: describe(err)}
	}
	defer res.Body.Close()
	excerpt, _ := io.ReadAll(io.LimitReader(res.Body, excerptBytes))
	io.Copy(io.Discard, io.LimitReader(res.Body, drainBytes))
	return sqlstore.Attempt{Status: res.StatusCode, Response: strings.ToValidUTF8(string(excerpt), "\uFFFD")}
}

// describe turns a transport error into a short reason without the URL.
func describe(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, ErrBlockedAddress):
		return "blocked: destination address is not public"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return msg
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
