package ds

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/kessai/kessai/threeds"
)

// Defaults of [Config].
const (
	DefaultACSTimeout    = 10 * time.Second
	DefaultServerTimeout = 3 * time.Second // DS → 3DS Server, for the RReq
	DefaultRetention     = time.Hour
	DefaultReference     = "KESSAI-DS-1"
)

// Range is a card range served by an ACS.
type Range struct {
	threeds.CardRange
	// ACSURL is where the DS posts the AReqs of the range.
	ACSURL string
}

// Config configures a [Server].
type Config struct {
	// URL is the DS's own URL, sent to the ACS as dsURL: the ACS posts
	// its RReqs there. Required.
	URL string
	// ReferenceNumber is the DS's dsReferenceNumber; "" is
	// [DefaultReference].
	ReferenceNumber string
	// Ranges are the card ranges and their ACSs. Required.
	Ranges []Range
	// SerialNum names the range list in PRes; "" is "1".
	SerialNum string
	// Client sends AReqs to ACSs and RReqs to 3DS Servers; it carries
	// the DS's client certificate. Required.
	Client *http.Client
	// ServerRefNumbers, when not empty, are the only
	// threeDSServerRefNumbers accepted (else Erro 303).
	ServerRefNumbers []string
	// ACSTimeout bounds the wait for an ARes; 0 is [DefaultACSTimeout].
	ACSTimeout time.Duration
	// ServerTimeout bounds the wait for an RRes; 0 is
	// [DefaultServerTimeout].
	ServerTimeout time.Duration
	// PReqInterval is the shortest time between two PReqs of one 3DS
	// Server (the spec's one per hour); 0 means no limit.
	PReqInterval time.Duration
	// Retention is how long a transaction is kept; 0 is
	// [DefaultRetention].
	Retention time.Duration
	// Logger receives the DS's log; nil discards it. Card numbers and
	// authentication values are never logged.
	Logger *slog.Logger
	// Now returns the current time; nil is time.Now.
	Now func() time.Time
}

// withDefaults checks c and fills in its defaults.
func (c Config) withDefaults() (Config, error) {
	if u, err := url.Parse(c.URL); err != nil || u.Scheme != "https" || u.Host == "" {
		return c, errors.New("ds: Config.URL must be an https URL")
	}
	if len(c.Ranges) == 0 {
		return c, errors.New("ds: Config.Ranges is empty")
	}
	for _, r := range c.Ranges {
		if err := (&threeds.PRes{
			Header:                 threeds.Header{MessageType: threeds.TypePRes, MessageVersion: threeds.Version220, ThreeDSServerTransID: threeds.NewTransID(), DSTransID: threeds.NewTransID()},
			DSStartProtocolVersion: threeds.Version210, DSEndProtocolVersion: threeds.Version220, SerialNum: "1",
			CardRangeData: []threeds.CardRange{r.CardRange},
		}).Validate(); err != nil {
			return c, errors.New("ds: bad range " + r.StartRange + "–" + r.EndRange + ": " + err.Error())
		}
		if u, err := url.Parse(r.ACSURL); err != nil || u.Scheme != "https" || u.Host == "" {
			return c, errors.New("ds: range " + r.StartRange + " needs an https ACSURL")
		}
	}
	if c.Client == nil {
		return c, errors.New("ds: Config.Client is required")
	}
	if c.ReferenceNumber == "" {
		c.ReferenceNumber = DefaultReference
	}
	if c.SerialNum == "" {
		c.SerialNum = "1"
	}
	if c.ACSTimeout <= 0 {
		c.ACSTimeout = DefaultACSTimeout
	}
	if c.ServerTimeout <= 0 {
		c.ServerTimeout = DefaultServerTimeout
	}
	if c.Retention <= 0 {
		c.Retention = DefaultRetention
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c, nil
}
