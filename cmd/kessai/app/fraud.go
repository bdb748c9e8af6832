package app

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kessai/kessai/fraud"
)

// LoadIPTable reads the fraud engine's IP range table from path; nil when
// path is empty.
func LoadIPTable(path string) (*fraud.IPTable, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("fraud ip table: %w", err)
	}
	defer f.Close()
	t, err := fraud.ParseIPTable(f)
	if err != nil {
		return nil, fmt.Errorf("fraud ip table %s: %w", path, err)
	}
	return t, nil
}

// fraudCounters returns the fraud engine's velocity counters: in Redis at
// url under prefix (default "kessai:fraud:"; checked with a PING, closed
// with the App), or nil (in process) when url is empty.
func (a *App) fraudCounters(ctx context.Context, url, prefix string) (fraud.Counters, error) {
	if url == "" {
		return nil, nil
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("fraud redis_url: %w", err)
	}
	c := redis.NewClient(opt)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.Ping(pctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("fraud redis %s: %w", opt.Addr, err)
	}
	a.closers = append(a.closers, c.Close)
	if prefix == "" {
		prefix = "kessai:fraud:"
	}
	return fraud.NewRedis(c, prefix), nil
}
