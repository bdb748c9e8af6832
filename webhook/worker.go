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
	"time"

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
	// Poll is how often the worker looks for new events and due retries.
	// Default 20 ms.
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
	def(&c.Poll, 20*time.Millisecond)
	def(&c.FirstRetry, time.Second)
	def(&c.MaxRetry, 6*time.Hour)
	def(&c.GiveUp, 72*time.Hour)
	def(&c.Settle, 10*time.Second)
	def(&c.Lease, c.Timeout+5*time.Second)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// excerptBytes bounds the response excerpt kept per attempt; drainBytes
// bounds what is read of a response at all.
const (
	excerptBytes = 1 << 10
	drainBytes   = 64 << 10
)

// Worker fans events out into deliveries and delivers them.
type Worker struct {
	cfg   Config
	claim string
	test  *http.Client
	live  *http.Client
	wake  chan struct{}

	mu       sync.Mutex
	inflight int
	perHost  map[string]int
	fanned   map[int64]bool // seqs above the cursor already fanned out
	gapSeq   int64          // the first missing seq above the cursor (Run only)
	gapSince time.Time      // when this worker first saw gapSeq missing
	moved    chan struct{}  // closed and replaced when the cursor moves
	wg       sync.WaitGroup
}

// New returns a worker; [Worker.Run] starts it.
func New(cfg Config) *Worker {
	cfg = cfg.withDefaults()
	b := make([]byte, 8)
	rand.Read(b)
	w := &Worker{
		cfg:     cfg,
		claim:   hex.EncodeToString(b),
		wake:    make(chan struct{}, 1),
		perHost: map[string]int{},
		fanned:  map[int64]bool{},
		moved:   make(chan struct{}),
	}
	w.test = w.client(false)
	w.live = w.client(true)
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

// Notify wakes the worker now rather than at its next poll.
func (w *Worker) Notify() {
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
	t := time.NewTicker(w.cfg.Poll)
	defer t.Stop()
	// Due retries are looked for less often than new events: the first
	// retry waits FirstRetry anyway.
	claimEvery := min(250*time.Millisecond, w.cfg.FirstRetry/4)
	var lastClaim time.Time
	woken := true
	for {
		left, err := w.fanOut(ctx)
		if err != nil && ctx.Err() == nil {
			w.cfg.Logger.Warn("webhook fan-out", "err", err)
		}
		if woken || left || time.Since(lastClaim) >= claimEvery {
			lastClaim = time.Now()
			if err := w.dispatch(ctx); err != nil && ctx.Err() == nil {
				w.cfg.Logger.Warn("webhook dispatch", "err", err)
			}
		}
		woken = false
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-w.wake:
			woken = true
		}
	}
}

// fanOut turns the events after the cursor into deliveries and moves the
// cursor over those with no gap before them (or older than Settle). It
// reports whether it left deliveries unclaimed (no free worker).
func (w *Worker) fanOut(ctx context.Context) (left bool, err error) {
	db := w.cfg.DB
	for {
		cursor, last, err := db.WebhookProgress(ctx)
		if err != nil || last <= cursor {
			return left, err
		}
		const batch = 500
		evs, err := db.EventsAfter(ctx, "", false, cursor, batch)
		if err != nil {
			return left, err
		}
		var ds []*sqlstore.Delivery
		var seqs []int64
		upTo := cursor
		contiguous := true
		w.mu.Lock()
		free := w.cfg.Workers - w.inflight
		hosts := map[string]int{}
		w.mu.Unlock()
		for _, e := range evs {
			if contiguous && (e.Seq == upTo+1 || w.settled(upTo+1)) {
				upTo = e.Seq
			} else {
				contiguous = false
			}
			w.mu.Lock()
			done := w.fanned[e.Seq]
			w.mu.Unlock()
			if done {
				continue
			}
			uris, err := db.WebhookEndpoints(ctx, e)
			if err != nil {
				return left, err
			}
			for _, u := range uris {
				d := &sqlstore.Delivery{EventID: e.ID, EventSeq: e.Seq, AccountID: e.AccountID, Livemode: e.Livemode, URI: u}
				// Claim what this node can start at once: delivery then
				// starts without another write.
				h := hostOf(u)
				if free > 0 && w.hostLoad(h)+hosts[h] < w.cfg.PerHost {
					d.Claimed = true
					free--
					hosts[h]++
				}
				ds = append(ds, d)
			}
			seqs = append(seqs, e.Seq)
		}
		if len(ds) == 0 && upTo == cursor && len(seqs) == 0 {
			return left, nil
		}
		if err := db.FanOut(ctx, ds, upTo, w.claim, w.cfg.Lease); err != nil {
			return left, err
		}
		for _, d := range ds {
			if d.Claimed {
				w.start(ctx, d)
			} else {
				left = true
			}
		}
		w.mu.Lock()
		for _, s := range seqs {
			w.fanned[s] = true
		}
		for s := range w.fanned {
			if s <= upTo {
				delete(w.fanned, s)
			}
		}
		if upTo > cursor {
			close(w.moved)
			w.moved = make(chan struct{})
		}
		w.mu.Unlock()
		if len(evs) < batch || upTo == cursor {
			return left, nil
		}
	}
}

// settled reports whether the missing seq has been missing for Settle, as
// seen by this worker: then the transaction that took it is taken to have
// rolled back, and the cursor moves past it.
func (w *Worker) settled(seq int64) bool {
	now := time.Now()
	if w.gapSeq != seq {
		w.gapSeq, w.gapSince = seq, now
		return false
	}
	return now.Sub(w.gapSince) >= w.cfg.Settle
}

// dispatch claims due deliveries up to the free workers and starts them.
func (w *Worker) dispatch(ctx context.Context) error {
	w.mu.Lock()
	free := w.cfg.Workers - w.inflight
	w.mu.Unlock()
	if free <= 0 {
		return nil
	}
	batch := map[string]int{}
	busy := func(uri string) bool {
		h := hostOf(uri)
		if w.hostLoad(h)+batch[h] >= w.cfg.PerHost {
			return true
		}
		batch[h]++
		return false
	}
	ds, err := w.cfg.DB.ClaimDeliveries(ctx, w.claim, w.cfg.Lease, free, busy)
	if err != nil {
		return err
	}
	for _, d := range ds {
		w.start(ctx, d)
	}
	return nil
}

// hostLoad returns the deliveries in flight to host.
func (w *Worker) hostLoad(host string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.perHost[host]
}

// start delivers a claimed delivery in its own goroutine.
func (w *Worker) start(ctx context.Context, d *sqlstore.Delivery) {
	h := hostOf(d.URI)
	w.mu.Lock()
	w.inflight++
	w.perHost[h]++
	w.mu.Unlock()
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		// The host's slot is freed once its endpoint has answered: the
		// attempt's durable record that follows does not hold the host's
		// next delivery back (under load that write, not the endpoint, is
		// most of a delivery's time).
		w.deliver(context.WithoutCancel(ctx), d, func() {
			w.mu.Lock()
			if w.perHost[h]--; w.perHost[h] <= 0 {
				delete(w.perHost, h)
			}
			w.mu.Unlock()
			w.Notify()
		})
		w.mu.Lock()
		w.inflight--
		w.mu.Unlock()
		w.Notify()
	}()
}

func hostOf(uri string) string {
	if u, err := url.Parse(uri); err == nil {
		return u.Host
	}
	return uri
}

// deliver makes one attempt of a claimed delivery and records it, calling
// answered between the two.
func (w *Worker) deliver(ctx context.Context, d *sqlstore.Delivery, answered func()) {
	a := w.attempt(ctx, d)
	answered()
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
func (w *Worker) attempt(ctx context.Context, d *sqlstore.Delivery) sqlstore.Attempt {
	start := time.Now()
	a := w.post(ctx, d)
	a.Latency = time.Since(start)
	return a
}

func (w *Worker) post(ctx context.Context, d *sqlstore.Delivery) sqlstore.Attempt {
	if err := CheckURL(d.URI, d.Livemode); err != nil {
		return sqlstore.Attempt{Error: err.Error()}
	}
	e, err := w.cfg.DB.FindEvent(ctx, d.AccountID, d.Livemode, d.EventID)
	if err != nil {
		return sqlstore.Attempt{Error: "event not found"}
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
