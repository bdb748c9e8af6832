package iso8583link

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/moov-io/iso8583"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/iso8583msg"
)

var _ kessai.NetworkLink = (*Link)(nil)

// Link is the gateway's connection to the issuer host. It implements
// [kessai.NetworkLink]. Create it with [New]; it connects, signs on,
// keeps the connection alive and drains the reversal queue in the
// background until [Link.Close]. Its methods are safe for concurrent use.
type Link struct {
	cfg   Config
	store kessai.NetworkStore
	log   *slog.Logger

	ctx    context.Context // ended by Close, for background work
	cancel context.CancelFunc

	mu     sync.Mutex
	cur    *conn
	online chan struct{} // closed while a signed-on connection is up
	closed bool

	stanMu  sync.Mutex
	stans   map[string]*stanBlock
	mgmtSeq atomic.Int64 // STANs of network management messages

	wake  chan struct{}
	done  chan struct{}
	wg    sync.WaitGroup // background goroutines
	calls sync.WaitGroup // calls in progress
}

// New starts a link to cfg.Addr that records its requests and reversals
// in store. It returns at once; use [Link.WaitOnline] to wait for the
// first sign-on. Fails only on a bad configuration.
func New(store kessai.NetworkStore, cfg Config) (*Link, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	l := &Link{
		cfg:    cfg,
		store:  store,
		log:    cfg.Logger,
		online: make(chan struct{}),
		stans:  make(map[string]*stanBlock),
		wake:   make(chan struct{}, 1),
		done:   make(chan struct{}),
	}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	l.mgmtSeq.Store(rand.Int64N(900000))
	l.wg.Add(2)
	go l.run()
	go l.reversals()
	return l, nil
}

// Close stops taking requests, waits for those in progress, signs off,
// closes the connection and stops the background work. Reversals still
// queued stay in the store for the next link. Safe to call twice.
func (l *Link) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	l.calls.Wait()
	close(l.done)
	l.cancel()
	l.wg.Wait()
	return nil
}

// Online reports whether the link has a signed-on connection.
func (l *Link) Online() bool {
	select {
	case <-l.onlineCh():
		return true
	default:
		return false
	}
}

// WaitOnline waits until the link has a signed-on connection. Fails when
// ctx ends first or the link is closed.
func (l *Link) WaitOnline(ctx context.Context) error {
	select {
	case <-l.onlineCh():
		return nil
	case <-ctx.Done():
		return fmt.Errorf("iso8583link: wait online: %w", ctx.Err())
	case <-l.done:
		return errors.New("iso8583link: link closed")
	}
}

func (l *Link) onlineCh() chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.online
}

// connected returns the signed-on connection, or nil.
func (l *Link) connected() *conn {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cur
}

func (l *Link) setConn(c *conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case c != nil && l.cur == nil:
		close(l.online)
	case c == nil && l.cur != nil:
		l.online = make(chan struct{})
	}
	l.cur = c
}

// enter admits a call unless the link is closed.
func (l *Link) enter() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return unavailable()
	}
	l.calls.Add(1)
	return nil
}

// kick wakes the reversal loop.
func (l *Link) kick() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// sleep waits d, and reports false when the link closes first.
func (l *Link) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-l.done:
		return false
	}
}

// jitter returns d shortened by up to a fifth at random, so that nodes do
// not retry in step.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d - time.Duration(rand.Int64N(int64(d)/5+1))
}

// run keeps one signed-on connection up, reconnecting with backoff.
func (l *Link) run() {
	defer l.wg.Done()
	backoff := l.cfg.ReconnectMin
	for {
		select {
		case <-l.done:
			return
		default:
		}
		c, err := l.connect()
		if err != nil {
			l.log.Warn("issuer host unreachable", "addr", l.cfg.Addr, "err", err, "retry_in", backoff)
			if !l.sleep(jitter(backoff)) {
				return
			}
			backoff = min(2*backoff, l.cfg.ReconnectMax)
			continue
		}
		backoff = l.cfg.ReconnectMin
		l.setConn(c)
		l.log.Info("issuer host signed on", "addr", l.cfg.Addr)
		l.kick()
		l.wg.Add(1)
		go l.keepalive(c)
		select {
		case <-c.closed:
			l.setConn(nil)
			l.log.Warn("issuer connection lost", "addr", l.cfg.Addr)
			if !l.sleep(jitter(l.cfg.ReconnectMin)) {
				return
			}
		case <-l.done:
			l.setConn(nil)
			if err := l.manage(c, iso8583msg.SignOff); err != nil {
				l.log.Info("sign-off not acknowledged", "err", err)
			}
			c.close()
			return
		}
	}
}

// connect dials the host and signs on.
func (l *Link) connect() (*conn, error) {
	d := net.Dialer{Timeout: l.cfg.ConnectTimeout}
	nc, err := d.DialContext(l.ctx, "tcp", l.cfg.Addr)
	if err != nil {
		return nil, err
	}
	c := newConn(nc, l.cfg.Timeout)
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		c.readLoop(l.inbound, l.late, func(err error) {
			l.log.Warn("unreadable message from the issuer host", "err", err)
		})
	}()
	if err := l.manage(c, iso8583msg.SignOn); err != nil {
		c.close()
		return nil, fmt.Errorf("sign-on: %w", err)
	}
	return c, nil
}

// keepalive echoes on an idle connection and closes it when an echo
// fails, which makes run reconnect.
func (l *Link) keepalive(c *conn) {
	defer l.wg.Done()
	t := time.NewTicker(max(l.cfg.EchoInterval/4, time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-c.closed:
			return
		case <-l.done:
			return
		case <-t.C:
		}
		if time.Since(time.Unix(0, c.lastRecv.Load())) < l.cfg.EchoInterval {
			continue
		}
		if err := l.manage(c, iso8583msg.Echo); err != nil {
			l.log.Warn("echo failed, reconnecting", "err", err)
			c.close()
			return
		}
	}
}

// manage sends a network management request (0800) with the given code
// and waits for an approving 0810.
func (l *Link) manage(c *conn, code string) error {
	now := l.cfg.Now()
	req := &iso8583msg.NetworkRequest{
		MTI: iso8583msg.MTINetwork,
		Trace: iso8583msg.Trace{
			TransmissionTime: iso8583msg.TransmissionTime(now),
			STAN:             fmt.Sprintf("%06d", l.mgmtSeq.Add(1)%999999+1),
			AcquirerID:       l.cfg.AcquirerID,
			TerminalID:       l.cfg.TerminalID,
		},
		Code: code,
	}
	raw, err := iso8583msg.Pack(req)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), l.cfg.Timeout)
	defer cancel()
	m, err := c.roundTrip(ctx, raw, iso8583msg.MatchKey(req.MTI, req.TerminalID, req.STAN))
	if err != nil {
		return err
	}
	var resp iso8583msg.NetworkResponse
	if err := iso8583msg.Decode(m, &resp); err != nil {
		return err
	}
	if resp.ResponseCode != iso8583msg.Approved {
		return fmt.Errorf("network management %s answered %s", code, resp.ResponseCode)
	}
	return nil
}

// inbound answers requests from the host: echoes and sign-ons are
// acknowledged, anything else refused.
func (l *Link) inbound(c *conn, m *iso8583.Message) {
	var req iso8583msg.NetworkRequest
	if iso8583msg.MTI(m) != iso8583msg.MTINetwork || iso8583msg.Decode(m, &req) != nil {
		l.log.Info("request from the issuer host ignored", "iso8583", iso8583msg.Log(m))
		return
	}
	raw, err := iso8583msg.Pack(&iso8583msg.NetworkResponse{
		MTI: iso8583msg.MTINetworkResponse, Trace: req.Trace, ResponseCode: iso8583msg.Approved, Code: req.Code,
	})
	if err == nil {
		err = c.reply(raw)
	}
	if err != nil {
		l.log.Warn("answer to the issuer host not sent", "err", err)
	}
}

// late logs an answer that arrived after its request gave up. Its
// request is already being reversed when it was an authorization or a
// refund.
func (l *Link) late(_ *conn, m *iso8583.Message) {
	l.log.Info("late answer from the issuer host", "iso8583", iso8583msg.Log(m))
}
