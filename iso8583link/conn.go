package iso8583link

import (
	"bufio"
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/moov-io/iso8583"

	"github.com/kessai/kessai/iso8583msg"
)

// Outcomes of a round trip that got no answer.
var (
	// errNotSent: the request did not leave (no connection, or a request
	// with the same match key is in flight).
	errNotSent = errors.New("iso8583link: request not sent")
	// errLost: the request may have been sent, and the connection failed
	// before its answer.
	errLost = errors.New("iso8583link: connection lost with the request in flight")
	// errNoAnswer: the request was sent and its deadline passed.
	errNoAnswer = errors.New("iso8583link: no answer before the deadline")
)

// conn is one connection to the issuer host. Requests are matched with
// answers by [iso8583msg.MatchKey]; an answer nobody waits for (late)
// goes to the link's late handler.
type conn struct {
	nc       net.Conn
	timeout  time.Duration
	wmu      sync.Mutex
	mu       sync.Mutex
	pending  map[string]chan *iso8583.Message
	closed   chan struct{}
	once     sync.Once
	lastRecv atomic.Int64 // UnixNano of the last frame received
}

func newConn(nc net.Conn, timeout time.Duration) *conn {
	c := &conn{nc: nc, timeout: timeout, pending: make(map[string]chan *iso8583.Message), closed: make(chan struct{})}
	c.lastRecv.Store(time.Now().UnixNano())
	return c
}

func (c *conn) close() {
	c.once.Do(func() {
		close(c.closed)
		c.nc.Close()
	})
}

func (c *conn) isClosed() bool {
	select {
	case <-c.closed:
		return true
	default:
		return false
	}
}

// readLoop reads frames until the connection fails, then closes it.
// Answers go to their waiter; requests from the host go to inbound, and
// answers nobody waits for to late.
func (c *conn) readLoop(inbound, late func(c *conn, m *iso8583.Message), malformed func(err error)) {
	defer c.close()
	r := bufio.NewReader(c.nc)
	for {
		raw, err := iso8583msg.ReadFrame(r)
		if err != nil {
			return
		}
		c.lastRecv.Store(time.Now().UnixNano())
		m, err := iso8583msg.Unpack(raw)
		if err != nil {
			malformed(err)
			continue
		}
		if !iso8583msg.IsResponse(iso8583msg.MTI(m)) {
			go inbound(c, m)
			continue
		}
		key := iso8583msg.MessageMatchKey(m)
		c.mu.Lock()
		ch := c.pending[key]
		delete(c.pending, key)
		c.mu.Unlock()
		if ch == nil {
			late(c, m)
			continue
		}
		ch <- m // buffered: never blocks
	}
}

// roundTrip sends raw, whose answer has match key key, and waits for the
// answer until ctx ends. It fails with errNotSent, errLost or errNoAnswer.
func (c *conn) roundTrip(ctx context.Context, raw []byte, key string) (*iso8583.Message, error) {
	ch := make(chan *iso8583.Message, 1)
	c.mu.Lock()
	if c.isClosed() {
		c.mu.Unlock()
		return nil, errNotSent
	}
	if _, busy := c.pending[key]; busy {
		c.mu.Unlock()
		return nil, errNotSent
	}
	c.pending[key] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		if c.pending[key] == ch {
			delete(c.pending, key)
		}
		c.mu.Unlock()
	}()
	if err := c.write(raw); err != nil {
		if errors.Is(err, errNotSent) {
			return nil, errNotSent
		}
		// Part of the frame may have left: the request counts as sent.
		c.close()
		return nil, errLost
	}
	select {
	case m := <-ch:
		return m, nil
	case <-c.closed:
		select {
		case m := <-ch:
			return m, nil
		default:
			return nil, errLost
		}
	case <-ctx.Done():
		select {
		case m := <-ch:
			return m, nil
		default:
			return nil, errNoAnswer
		}
	}
}

// reply sends a message that expects no answer.
func (c *conn) reply(raw []byte) error { return c.write(raw) }

func (c *conn) write(raw []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.isClosed() {
		return errNotSent
	}
	c.nc.SetWriteDeadline(time.Now().Add(c.timeout))
	return iso8583msg.WriteFrame(c.nc, raw)
}
