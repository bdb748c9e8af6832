package chaos

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"time"
)

// pgCluster is a private PostgreSQL cluster in a temporary directory, on
// a port of its own, that the fault suite may stop and start at will
// without disturbing any other server on the machine.
type pgCluster struct {
	bin  string // directory of initdb, pg_ctl
	dir  string // the cluster's directory (data, log, socket)
	port int
	cred *syscall.Credential // the user the server runs as when we are root
}

// findPGBin returns the newest /usr/lib/postgresql/*/bin with initdb, or
// "" when there is none.
func findPGBin() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(a)))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(b)))
		return vb - va
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	return ""
}

// startCluster initializes a cluster with initdb and starts it on a free
// loopback port. initdb refuses to run as root, so as root the cluster
// runs as the "postgres" user (or "nobody"). Fails when there is no
// initdb, no such user, or the server does not start.
func startCluster(ctx context.Context, bin string) (*pgCluster, error) {
	if bin == "" {
		bin = findPGBin()
	}
	if bin == "" {
		return nil, errors.New("no initdb found under /usr/lib/postgresql/*/bin (give --pg-bin)")
	}
	dir, err := os.MkdirTemp("", "kessai-pg-")
	if err != nil {
		return nil, err
	}
	c := &pgCluster{bin: bin, dir: dir}
	if os.Geteuid() == 0 {
		var u *user.User
		for _, name := range []string{"postgres", "nobody"} {
			if u, err = user.Lookup(name); err == nil {
				break
			}
		}
		if u == nil {
			os.RemoveAll(dir)
			return nil, errors.New("running as root and there is no postgres or nobody user for initdb")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	if out, err := c.run(ctx, "initdb", "-D", c.data(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	if err := c.Start(ctx); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

func (c *pgCluster) data() string { return filepath.Join(c.dir, "data") }

// run runs a PostgreSQL program as the cluster's user.
func (c *pgCluster) run(ctx context.Context, prog string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, prog), args...)
	cmd.Dir = c.dir
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	return cmd.CombinedOutput()
}

// URL returns the server's URL.
func (c *pgCluster) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// Start starts the server and waits until it takes connections.
func (c *pgCluster) Start(ctx context.Context) error {
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories=%s -c max_connections=200", c.port, c.dir)
	if out, err := c.run(ctx, "pg_ctl", "-D", c.data(), "-l", filepath.Join(c.dir, "server.log"), "-o", opts, "-w", "-t", "60", "start"); err != nil {
		return fmt.Errorf("pg_ctl start: %v\n%s", err, out)
	}
	db, err := sql.Open("pgx", c.URL())
	if err != nil {
		return err
	}
	defer db.Close()
	deadline := time.Now().Add(60 * time.Second)
	for db.PingContext(ctx) != nil {
		if time.Now().After(deadline) {
			return errors.New("the private PostgreSQL server does not take connections")
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

// Stop stops the server: "immediate" kills it as a crash would (its
// clients' connections break mid-transaction), "fast" shuts it down.
func (c *pgCluster) Stop(ctx context.Context, mode string) error {
	if out, err := c.run(ctx, "pg_ctl", "-D", c.data(), "-m", mode, "-w", "-t", "60", "stop"); err != nil {
		return fmt.Errorf("pg_ctl stop: %v\n%s", err, out)
	}
	return nil
}

// Close stops the server and removes the cluster.
func (c *pgCluster) Close() {
	c.Stop(context.Background(), "immediate")
	os.RemoveAll(c.dir)
}
