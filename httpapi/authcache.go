package httpapi

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/kessai/kessai"
	"golang.org/x/sync/singleflight"
)

// authCache remembers successful key lookups for a short TTL, so that a
// request costs no database read for authentication once its key is known.
//
// Revocation latency is bounded by the TTL: a key that is revoked, rolled
// with no grace, or expires stays usable on a node for at most ttl after the
// node last looked it up. Failures are not cached, so a new key works at
// once. Keys are held by their SHA-256, never in clear. Concurrent lookups of
// the same unknown key share one call to the AccountService.
type authCache struct {
	svc  kessai.AccountService
	ttl  time.Duration // <= 0: no caching
	size int

	mu      sync.RWMutex
	entries map[[sha256.Size]byte]authEntry
	group   singleflight.Group
}

type authEntry struct {
	auth    *kessai.Auth
	expires time.Time
}

func newAuthCache(svc kessai.AccountService, ttl time.Duration, size int) *authCache {
	return &authCache{svc: svc, ttl: ttl, size: size, entries: map[[sha256.Size]byte]authEntry{}}
}

// authenticate returns who key belongs to, from the cache when a lookup
// made less than the TTL before now succeeded, else from the service. It
// fails as [kessai.AccountService.Authenticate] does.
func (c *authCache) authenticate(ctx context.Context, key string, now time.Time) (*kessai.Auth, error) {
	if c.ttl <= 0 {
		auth, err := c.svc.Authenticate(ctx, key)
		if err == nil && auth == nil {
			err = kessai.Errorf(kessai.EAuthenticationFailure, "authentication failed")
		}
		return auth, err
	}
	h := sha256.Sum256([]byte(key))
	c.mu.RLock()
	e, ok := c.entries[h]
	c.mu.RUnlock()
	if ok && now.Before(e.expires) {
		return e.auth, nil
	}
	v, err, _ := c.group.Do(string(h[:]), func() (any, error) {
		// The lookup must not fail because the first caller went away.
		return c.svc.Authenticate(context.WithoutCancel(ctx), key)
	})
	if err != nil {
		return nil, err
	}
	auth, _ := v.(*kessai.Auth)
	if auth == nil {
		return nil, kessai.Errorf(kessai.EAuthenticationFailure, "authentication failed")
	}
	c.mu.Lock()
	if len(c.entries) >= c.size {
		c.evict(now)
	}
	c.entries[h] = authEntry{auth: auth, expires: now.Add(c.ttl)}
	c.mu.Unlock()
	return auth, nil
}

// evict drops expired entries, and then arbitrary ones until a tenth of the
// room is free. c.mu must be held.
func (c *authCache) evict(now time.Time) {
	for k, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, k)
		}
	}
	for k := range c.entries {
		if len(c.entries) < c.size-c.size/10 {
			break
		}
		delete(c.entries, k)
	}
}

// forget empties the cache.
func (c *authCache) forget() {
	c.mu.Lock()
	clear(c.entries)
	c.mu.Unlock()
}
