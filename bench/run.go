package bench

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Run runs cfg's scenario against cfg's target until the duration is over
// or the number of requests is reached, and returns the result.
//
// Run fails before sending anything when the configuration is invalid (no
// scenario, no bound, negative or excessive values), when the target is
// not an http(s) URL on a loopback address, or when the scenario's Prepare
// fails. Requests that fail are counted in the result, not returned. When
// ctx is cancelled, Run stops, abandons the requests in flight and returns
// the result so far with Interrupted set.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	target := Target{BaseURL: strings.TrimRight(cfg.BaseURL, "/"), PublicKey: cfg.PublicKey, SecretKey: cfg.SecretKey}
	if target.BaseURL != "" {
		if _, err := checkLoopback(target.BaseURL); err != nil {
			return nil, err
		}
	}
	client := newClient(cfg.Concurrency, cfg.TLSConfig)
	defer client.CloseIdleConnections()
	if p, ok := cfg.Scenario.(Preparer); ok {
		t, undo, err := p.Prepare(ctx, client, target)
		if err != nil {
			return nil, fmt.Errorf("bench: prepare %s: %w", cfg.Scenario.Name(), err)
		}
		defer undo()
		target = t
	}
	if target.BaseURL == "" {
		return nil, fmt.Errorf("bench: no target URL for the %s scenario", cfg.Scenario.Name())
	}
	if _, err := checkLoopback(target.BaseURL); err != nil {
		return nil, err
	}
	r := &runner{
		cfg:    cfg,
		client: client,
		target: target,
		hist:   newHistogram(),
		kinds:  map[string]int64{},
		sample: map[string]string{},
		stop:   make(chan struct{}),
	}
	return r.run(ctx), nil
}

// runner is the state of one run.
type runner struct {
	cfg    Config
	client *http.Client
	target Target
	hist   *histogram

	start time.Time
	stop  chan struct{} // closed when no more requests may start
	once  sync.Once

	ok, failed, missed atomic.Int64

	mu     sync.Mutex
	kinds  map[string]int64
	sample map[string]string
}

func (r *runner) run(ctx context.Context) *Result {
	r.start = time.Now()
	stopNow := func() { r.once.Do(func() { close(r.stop) }) }
	if r.cfg.Duration > 0 {
		t := time.AfterFunc(r.cfg.Duration, stopNow)
		defer t.Stop()
	}
	cancelWatch := context.AfterFunc(ctx, stopNow)
	defer cancelWatch()

	progressDone := make(chan struct{})
	progressStop := make(chan struct{})
	if r.cfg.Progress != nil {
		go func() {
			defer close(progressDone)
			r.progress(progressStop)
		}()
	} else {
		close(progressDone)
	}

	if r.cfg.Rate > 0 {
		r.openLoop(ctx)
	} else {
		r.closedLoop(ctx)
	}
	elapsed := time.Since(r.start)
	close(progressStop)
	<-progressDone
	return r.result(elapsed, ctx.Err() != nil)
}

// closedLoop runs the workers, each sending its next request when the last
// is answered.
func (r *runner) closedLoop(ctx context.Context) {
	var issued atomic.Int64
	var wg sync.WaitGroup
	for range r.cfg.Concurrency {
		wg.Go(func() {
			for !r.stopped() {
				if r.cfg.Requests > 0 && issued.Add(1) > r.cfg.Requests {
					return
				}
				r.do(ctx, time.Now())
			}
		})
	}
	wg.Wait()
}

// openLoop schedules requests at the configured rate and hands them to the
// workers. The schedule is absolute (request i is due at start + i/rate),
// so a late scheduler catches up instead of drifting.
func (r *runner) openLoop(ctx context.Context) {
	jobs := make(chan time.Time, r.cfg.Concurrency)
	var wg sync.WaitGroup
	for range r.cfg.Concurrency {
		wg.Go(func() {
			for due := range jobs {
				r.do(ctx, due)
			}
		})
	}
	timer := time.NewTimer(0)
	<-timer.C
	for i := int64(0); r.cfg.Requests == 0 || i < r.cfg.Requests; i++ {
		offset := time.Duration(float64(i) * float64(time.Second) / r.cfg.Rate)
		if r.cfg.Duration > 0 && offset >= r.cfg.Duration {
			break
		}
		due := r.start.Add(offset)
		if wait := time.Until(due); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-r.stop:
			}
		}
		if r.stopped() {
			break
		}
		select {
		case jobs <- due:
		default:
			r.missed.Add(1)
		}
	}
	timer.Stop()
	close(jobs)
	wg.Wait()
}

func (r *runner) stopped() bool {
	select {
	case <-r.stop:
		return true
	default:
		return false
	}
}

// do performs one iteration and records its outcome; latency counts from
// since, the time the request was due.
func (r *runner) do(ctx context.Context, since time.Time) {
	rctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	err := r.cfg.Scenario.Do(rctx, r.client, r.target)
	cancel()
	if err == nil {
		r.hist.record(time.Since(since))
		r.ok.Add(1)
		return
	}
	if ctx.Err() != nil {
		return // abandoned because the run was interrupted: not the server's fault
	}
	r.failed.Add(1)
	kind := errorKind(err)
	r.mu.Lock()
	r.kinds[kind]++
	if _, ok := r.sample[kind]; !ok {
		msg := err.Error()
		if len(msg) > 200 {
			msg = msg[:200] + "…"
		}
		r.sample[kind] = msg
	}
	r.mu.Unlock()
}
