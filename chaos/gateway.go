package chaos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// GatewayConfig says how to run the gateway process.
type GatewayConfig struct {
	// Command is the kessai command and any leading arguments, such as
	// the path of os.Executable(); the driver appends "dev" and its flags.
	Command []string
	// Env is added to the process's environment.
	Env []string
	// DataDir is the gateway's data directory (KEK, credentials.json and,
	// by default, the SQLite database).
	DataDir string
	// Database is the gateway's DSN; empty means SQLite in DataDir.
	Database string
	// IssuerAddr is the card company's ISO 8583 address.
	IssuerAddr string
	// IssuerTimeout is how long the link waits for an answer (0: the
	// gateway's default).
	IssuerTimeout time.Duration
	// PublicKey and SecretKey are the dev keys the gateway uses.
	PublicKey, SecretKey string
	// StartTimeout bounds a start (default 90 s: migrations on a busy
	// machine).
	StartTimeout time.Duration
}

// Gateway is the gateway child process. Its HTTP port stays the same
// across restarts, so that clients need not follow it.
type Gateway struct {
	cfg  GatewayConfig
	addr string // 127.0.0.1:port of the API
	logs *ring

	mu     sync.Mutex
	cmd    *exec.Cmd
	done   chan struct{}
	starts int
}

// NewGateway returns a gateway that is not running yet; it picks the HTTP
// port. Fails when no port is free.
func NewGateway(cfg GatewayConfig) (*Gateway, error) {
	if len(cfg.Command) == 0 {
		return nil, errors.New("chaos: no gateway command")
	}
	if cfg.StartTimeout <= 0 {
		cfg.StartTimeout = 90 * time.Second
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("chaos: pick a port: %w", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return &Gateway{cfg: cfg, addr: addr, logs: newRing(200)}, nil
}

// URL returns the gateway's API base URL.
func (g *Gateway) URL() string { return "http://" + g.addr }

// Starts returns how many times the gateway was started.
func (g *Gateway) Starts() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.starts
}

// Logs returns the last lines the gateway wrote.
func (g *Gateway) Logs() string { return g.logs.String() }

// Start starts the gateway and returns once it serves (it wrote its
// credentials.json). Fails when the process ends first or does not serve
// within the start timeout; the process is killed then.
func (g *Gateway) Start(ctx context.Context) error {
	cred := filepath.Join(g.cfg.DataDir, "credentials.json")
	os.Remove(cred)
	args := append([]string{}, g.cfg.Command[1:]...)
	args = append(args, "dev", "--data", g.cfg.DataDir, "--http", g.addr, "--https", "",
		"--issuer-address", g.cfg.IssuerAddr, "--public-key", g.cfg.PublicKey, "--secret-key", g.cfg.SecretKey)
	if g.cfg.Database != "" {
		args = append(args, "--database", g.cfg.Database)
	}
	if g.cfg.IssuerTimeout > 0 {
		args = append(args, "--issuer-timeout", g.cfg.IssuerTimeout.String())
	}
	cmd := exec.Command(g.cfg.Command[0], args...)
	cmd.Env = append(os.Environ(), g.cfg.Env...)
	cmd.Stdout, cmd.Stderr = g.logs, g.logs
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("chaos: start gateway: %w", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	g.mu.Lock()
	g.cmd, g.done = cmd, done
	g.starts++
	g.mu.Unlock()

	deadline := time.Now().Add(g.cfg.StartTimeout)
	for {
		if b, err := os.ReadFile(cred); err == nil && json.Valid(b) {
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("chaos: the gateway ended while starting:\n%s", g.logs.Tail(30))
		case <-ctx.Done():
			g.Kill()
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			g.Kill()
			return fmt.Errorf("chaos: the gateway did not serve within %s:\n%s", g.cfg.StartTimeout, g.logs.Tail(30))
		}
	}
}

// Kill ends the gateway with SIGKILL, as a crash would, and waits until
// it is gone. It does nothing when the gateway does not run.
func (g *Gateway) Kill() {
	g.mu.Lock()
	cmd, done := g.cmd, g.done
	g.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-done
}

// Stop ends the gateway with SIGTERM (a graceful shutdown), or SIGKILL
// after 30 s.
func (g *Gateway) Stop() {
	g.mu.Lock()
	cmd, done := g.cmd, g.done
	g.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		g.Kill()
	}
}

// ring keeps the last lines written to it.
type ring struct {
	mu    sync.Mutex
	lines []string
	part  string
	max   int
}

func newRing(max int) *ring { return &ring{max: max} }

func (r *ring) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.part + string(p)
	parts := strings.Split(s, "\n")
	r.part = parts[len(parts)-1]
	r.lines = append(r.lines, parts[:len(parts)-1]...)
	if len(r.lines) > r.max {
		r.lines = append([]string(nil), r.lines[len(r.lines)-r.max:]...)
	}
	return len(p), nil
}

// Tail returns the last n lines.
func (r *ring) Tail(n int) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.lines
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

func (r *ring) String() string { return r.Tail(r.max) }

// itoa formats n.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
