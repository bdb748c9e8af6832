package iso8583link

import (
	"errors"
	"log/slog"
	"time"
)

// Config configures a [Link]. Zero fields take the defaults shown.
type Config struct {
	// Addr is the issuer host's address, such as "127.0.0.1:8583".
	// Required.
	Addr string
	// AcquirerID is DE32, up to 11 digits. Default "400001".
	AcquirerID string
	// TerminalID is DE41 for requests that name no terminal, and for
	// network management. Up to 8 characters. Default "KESSAI01".
	TerminalID string

	// Timeout bounds each request's wait for its answer (a shorter
	// context deadline wins). Default 10s.
	Timeout time.Duration
	// ConnectTimeout bounds a dial. Default 5s.
	ConnectTimeout time.Duration
	// EchoInterval is the idle time after which an echo (0800/301) checks
	// the connection; a failed echo reconnects. Default 30s.
	EchoInterval time.Duration
	// ReconnectMin and ReconnectMax bound the exponential backoff between
	// connection attempts. Defaults 100ms and 10s.
	ReconnectMin, ReconnectMax time.Duration

	// RetryMin and RetryMax bound the exponential backoff between the
	// attempts of a queued reversal. Defaults 1s and 5m.
	RetryMin, RetryMax time.Duration
	// RetryHorizon is how long a reversal is retried before it is marked
	// expired for manual reconciliation. Default 72h.
	RetryHorizon time.Duration
	// PollInterval is how often the reversal queue and the stale
	// requests are looked at when nothing wakes the link. Default 1s.
	PollInterval time.Duration
	// StaleAfter is the age after which a request still recorded as
	// pending is taken for lost (its sender died) and reversed. It must
	// exceed Timeout. Default 2×Timeout + 30s.
	StaleAfter time.Duration
	// STANBlock is how many trace numbers a link reserves at a time per
	// terminal. Default 1000.
	STANBlock int

	// Observe, when set, is called as each request is sent, with its MTI,
	// and returns the function to call with the round trip's result:
	// "answered", "lost" (timed out, connection lost, malformed answer) or
	// "not_sent". For metrics; it must not block.
	Observe func(mti string) (done func(result string))

	// Logger receives the link's log; nil discards it. Card data is never
	// logged.
	Logger *slog.Logger
	// Now returns the current time; nil is time.Now.
	Now func() time.Time
}

func (c *Config) setDefaults() error {
	if c.Addr == "" {
		return errors.New("iso8583link: no issuer address")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if c.AcquirerID == "" {
		c.AcquirerID = "400001"
	}
	if c.TerminalID == "" {
		c.TerminalID = "KESSAI01"
	}
	if len(c.TerminalID) > 8 {
		return errors.New("iso8583link: terminal id longer than 8 characters")
	}
	def(&c.Timeout, 10*time.Second)
	def(&c.ConnectTimeout, 5*time.Second)
	def(&c.EchoInterval, 30*time.Second)
	def(&c.ReconnectMin, 100*time.Millisecond)
	def(&c.ReconnectMax, 10*time.Second)
	def(&c.RetryMin, time.Second)
	def(&c.RetryMax, 5*time.Minute)
	def(&c.RetryHorizon, 72*time.Hour)
	def(&c.PollInterval, time.Second)
	def(&c.StaleAfter, 2*c.Timeout+30*time.Second)
	if c.StaleAfter <= c.Timeout {
		return errors.New("iso8583link: StaleAfter must exceed Timeout")
	}
	if c.STANBlock <= 0 {
		c.STANBlock = 1000
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}
