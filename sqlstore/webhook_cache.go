package sqlstore

import (
	"sync"
	"time"
)

// WebhookCacheTTL is how long an account's webhook URL and signing secrets
// are kept in memory by the process that read them. A change made through
// this process (PATCH /account, a secret roll) is seen at once; one made
// through another gateway node is seen within this time.
const WebhookCacheTTL = 2 * time.Second

// webhookCache holds the webhook URL and signing secrets of recently seen
// accounts and modes.
type webhookCache struct {
	mu      sync.Mutex
	uris    map[acctMode]cachedURI
	secrets map[acctMode]cachedSecrets
	// gen counts forgets: a value read from the database is only cached
	// when no forget came between the read and the put, so that a read
	// racing a change cannot cache the old value.
	gen uint64
}

// generation returns the count of forgets so far; take it before reading
// what is then put.
func (c *webhookCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

type acctMode struct {
	account  string
	livemode bool
}

type cachedURI struct {
	uri   *string
	until time.Time
}

type cachedSecrets struct {
	secrets []string
	until   time.Time
}

func (c *webhookCache) uri(k acctMode, now time.Time) (*string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.uris[k]
	if !ok || !now.Before(e.until) {
		return nil, false
	}
	return e.uri, true
}

func (c *webhookCache) putURI(k acctMode, uri *string, until time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.uris == nil {
		c.uris = map[acctMode]cachedURI{}
	}
	if len(c.uris) >= maxCached {
		clear(c.uris)
	}
	c.uris[k] = cachedURI{uri, until}
}

func (c *webhookCache) secretsOf(k acctMode, now time.Time) ([]string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.secrets[k]
	if !ok || !now.Before(e.until) {
		return nil, false
	}
	return e.secrets, true
}

func (c *webhookCache) putSecrets(k acctMode, secrets []string, until time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.secrets == nil {
		c.secrets = map[acctMode]cachedSecrets{}
	}
	if len(c.secrets) >= maxCached {
		clear(c.secrets)
	}
	c.secrets[k] = cachedSecrets{secrets, until}
}

// forget drops what is cached for the account and mode.
func (c *webhookCache) forget(k acctMode) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.uris, k)
	delete(c.secrets, k)
}

// maxCached bounds each of the cache's maps; a full map is emptied.
const maxCached = 10000
