package issuersim

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kessai/kessai/iso8583msg"
	"github.com/kessai/kessai/sqlstore"
)

// Server is the simulated issuer host: an ISO 8583 TCP server on its own
// database. Create it with [New], then [Server.Start]; [Server.Close] stops
// it. Its methods are safe for concurrent use.
type Server struct {
	cfg Config
	log *slog.Logger
	now func() time.Time

	db      *sqlstore.DB
	hashKey []byte
	seq     atomic.Int64 // the last ledger sequence number
	ln      net.Listener

	mu     sync.Mutex
	faults Faults
	conns  map[*conn]struct{}
	closed bool

	done chan struct{}
	wg   sync.WaitGroup
}

// New returns a server for cfg. It fails when cfg.DSN is empty. Nothing is
// opened before [Server.Start].
func New(cfg Config) (*Server, error) {
	if cfg.DSN == "" {
		return nil, errors.New("issuersim: no database DSN")
	}
	if cfg.DefaultLimit <= 0 {
		cfg.DefaultLimit = DefaultLimit
	}
	s := &Server{
		cfg:    cfg,
		log:    cfg.Logger,
		now:    cfg.Now,
		faults: cfg.Faults,
		conns:  make(map[*conn]struct{}),
		done:   make(chan struct{}),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// Start opens and migrates the database, loads (or makes) the card number
// key, and listens on addr ("127.0.0.1:8583", ":0" for any port). It
// returns once the listener is up; connections are served in the
// background. Fails when the database or the address is unusable.
func (s *Server) Start(ctx context.Context, addr string) error {
	db, err := Open(ctx, s.cfg.DSN)
	if err != nil {
		return err
	}
	db.Now = s.now
	key, err := loadHashKey(ctx, db, s.cfg.HashKey)
	if err != nil {
		db.Close()
		return err
	}
	seq, err := loadSeq(ctx, db)
	if err != nil {
		db.Close()
		return err
	}
	s.seq.Store(seq)
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		db.Close()
		return fmt.Errorf("issuersim: listen: %w", err)
	}
	s.db, s.hashKey, s.ln = db, key, ln
	s.wg.Add(1)
	go s.accept()
	s.log.Info("issuer host listening", "addr", ln.Addr().String())
	return nil
}

// Addr returns the address the server listens on, or "" before Start.
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Close stops accepting, closes every connection, waits for the requests
// being processed and closes the database. It is safe to call twice.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	for c := range s.conns {
		c.close()
	}
	s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	s.ln.Close()
	s.wg.Wait()
	return s.db.Close()
}

// SetFaults replaces the fault injection; requests already being
// processed keep the faults they started with.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	s.faults = f
	s.mu.Unlock()
}

// Faults returns the current fault injection.
func (s *Server) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// DisconnectAll closes every client connection now, as a network failure
// would; the server keeps listening.
func (s *Server) DisconnectAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.close()
	}
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			select {
			case <-s.done:
			default:
				s.log.Error("issuer host stopped accepting", "err", err)
			}
			return
		}
		c := &conn{nc: nc}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			nc.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serve(c)
	}
}

// serve reads requests from one connection and handles each in its own
// goroutine, so that a slow answer does not hold up the others.
func (s *Server) serve(c *conn) {
	defer s.wg.Done()
	defer func() {
		c.close()
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	}()
	s.log.Debug("acquirer connected", "remote", c.nc.RemoteAddr().String())
	r := bufio.NewReader(c.nc)
	for {
		raw, err := iso8583msg.ReadFrame(r)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				s.log.Warn("acquirer connection failed", "err", err)
			}
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.handle(c, raw)
		}()
	}
}

// conn is one acquirer connection.
type conn struct {
	nc   net.Conn
	wmu  sync.Mutex
	once sync.Once
}

// write sends one message; it fails when the connection is closed.
func (c *conn) write(raw []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return iso8583msg.WriteFrame(c.nc, raw)
}

func (c *conn) close() { c.once.Do(func() { c.nc.Close() }) }
