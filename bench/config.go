package bench

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"time"
)

// Defaults for the zero values of [Config].
const (
	DefaultConcurrency     = 8   // closed loop: workers
	DefaultOpenConcurrency = 256 // open loop: workers, and the size of the queue in front of them
	DefaultTimeout         = 10 * time.Second
	DefaultProgress        = time.Second
)

// Limits that a configuration may not exceed.
const (
	MaxConcurrency = 10000
	MaxRate        = 1e6
)

// Config describes a run.
type Config struct {
	// BaseURL is the server, such as "http://127.0.0.1:8080". It must be
	// on a loopback address. The ceiling scenario ignores it.
	BaseURL string
	// PublicKey and SecretKey are the API keys the scenario uses.
	PublicKey, SecretKey string
	// Scenario is what each iteration does.
	Scenario Scenario

	// Concurrency is the number of workers. In closed loop each worker sends
	// its next request when the last is answered (default 8). In open loop
	// they send the scheduled requests (default 256); a scheduled request
	// that finds them all busy waits in a queue of the same size, and one
	// that finds the queue full is not sent and counted as missed.
	Concurrency int
	// Rate, when positive, makes the run open loop: requests are started at
	// this many per second, whatever the latency, and latency is measured
	// from each request's scheduled start.
	Rate float64

	// Duration and Requests bound the run; at least one must be set. When
	// the duration is over or the last request is started, no request is
	// started any more and the run waits for those in flight.
	Duration time.Duration
	Requests int64
	// Timeout bounds each request (default 10s).
	Timeout time.Duration

	// Progress, if not nil, receives a progress line every
	// ProgressInterval (default 1s).
	Progress         io.Writer
	ProgressInterval time.Duration

	// TLSConfig is the client's TLS configuration for https targets, such
	// as one that trusts the development CA. Nil means the system's roots.
	TLSConfig *tls.Config
}

// withDefaults returns c with defaults set, or an error for a configuration
// that cannot run.
func (c Config) withDefaults() (Config, error) {
	switch {
	case c.Scenario == nil:
		return c, errors.New("bench: no scenario")
	case c.Duration < 0 || c.Requests < 0 || c.Concurrency < 0 || c.Rate < 0 || c.Timeout < 0:
		return c, errors.New("bench: duration, requests, concurrency, rate and timeout must not be negative")
	case c.Duration == 0 && c.Requests == 0:
		return c, errors.New("bench: set a duration or a number of requests")
	case c.Concurrency > MaxConcurrency:
		return c, fmt.Errorf("bench: concurrency %d is over the limit of %d", c.Concurrency, MaxConcurrency)
	case c.Rate > MaxRate:
		return c, fmt.Errorf("bench: rate %g is over the limit of %g", c.Rate, float64(MaxRate))
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
		if c.Rate > 0 {
			c.Concurrency = DefaultOpenConcurrency
		}
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.ProgressInterval <= 0 {
		c.ProgressInterval = DefaultProgress
	}
	return c, nil
}
