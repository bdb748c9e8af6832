package acs

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults of [Config].
const (
	DefaultCReqTimeout      = 30 * time.Second // first CReq after a C ARes
	DefaultChallengeTimeout = 10 * time.Minute // each challenge page
	DefaultRReqTimeout      = 5 * time.Second  // ACS → DS read timeout
	DefaultRReqRetry        = 10 * time.Second // between RReq attempts
	DefaultMaxTries         = 3
	DefaultThreshold        = 30000 // minor units, any currency
	DefaultReference        = "KESSAI-ACS-1"
	TestOTP                 = "123456"
)

// Config configures an [ACS].
type Config struct {
	// URL is the ACS's public base URL (https), without a trailing
	// slash. The AReq endpoint is URL+"/areq", the challenge (acsURL)
	// URL+"/challenge" and the 3DS Method URL+"/method". Required.
	URL string
	// Key is the card company's CAVV key (at least 32 bytes); the issuer
	// host verifies CAVVs with the same key ([ACS.VerifyCAVV]). Required.
	Key []byte
	// Client sends RReqs to the DS (the dsURL of each AReq); it carries
	// the ACS's client certificate. Required.
	Client *http.Client
	// ReferenceNumber is the acsReferenceNumber; "" is [DefaultReference].
	ReferenceNumber string
	// TestMode makes the one-time password [TestOTP] and says so on the
	// challenge page. Without it the ACS has no way to send a code and
	// every challenge ends with the cardholder unable to answer; a real
	// ACS sends it by SMS or app.
	TestMode bool
	// Threshold is the amount (minor units) above which a purchase is
	// challenged, unless [ACS.SetThreshold] set one for the card; 0 is
	// [DefaultThreshold].
	Threshold int64
	// MaxTries is the number of codes a cardholder may enter; 0 is
	// [DefaultMaxTries].
	MaxTries int
	// CReqTimeout, ChallengeTimeout, RReqTimeout and RReqRetry are the
	// spec's timers (see the Default* constants); 0 means the default.
	// Tests shorten them.
	CReqTimeout, ChallengeTimeout, RReqTimeout, RReqRetry time.Duration
	// Logger receives the ACS's log; nil discards it. Card numbers,
	// codes and CAVVs are never logged.
	Logger *slog.Logger
	// Now returns the current time; nil is time.Now.
	Now func() time.Time
}

func (c Config) withDefaults() (Config, error) {
	c.URL = strings.TrimRight(c.URL, "/")
	if u, err := url.Parse(c.URL); err != nil || u.Scheme != "https" || u.Host == "" {
		return c, errors.New("acs: Config.URL must be an https URL")
	}
	if len(c.Key) < 32 {
		return c, errors.New("acs: Config.Key must have at least 32 bytes")
	}
	if c.Client == nil {
		return c, errors.New("acs: Config.Client is required")
	}
	if c.ReferenceNumber == "" {
		c.ReferenceNumber = DefaultReference
	}
	if c.Threshold <= 0 {
		c.Threshold = DefaultThreshold
	}
	if c.MaxTries <= 0 {
		c.MaxTries = DefaultMaxTries
	}
	for _, d := range []struct {
		p *time.Duration
		v time.Duration
	}{{&c.CReqTimeout, DefaultCReqTimeout}, {&c.ChallengeTimeout, DefaultChallengeTimeout}, {&c.RReqTimeout, DefaultRReqTimeout}, {&c.RReqRetry, DefaultRReqRetry}} {
		if *d.p <= 0 {
			*d.p = d.v
		}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c, nil
}
