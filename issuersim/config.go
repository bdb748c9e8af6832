package issuersim

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/kessai/kessai/iso8583msg"
)

// DefaultLimit is the credit line, per currency and in minor units, of an
// account created for an unknown card number.
const DefaultLimit = 100_000_000

// Config configures a [Server].
type Config struct {
	// DSN names the issuer's own database (sqlstore.Open syntax); it is
	// migrated on Start. Required.
	DSN string
	// HashKey keys the HMAC that stands for card numbers. When empty a
	// random key is made on first start and kept in the database.
	HashKey []byte
	// DefaultLimit is the credit line of auto-created accounts, per
	// currency; 0 means [DefaultLimit].
	DefaultLimit int64
	// Faults is the initial fault injection; see [Server.SetFaults].
	Faults Faults
	// VerifyCAVV is the 3-D Secure hook: when set, it is called for every
	// authorization carrying an ECI or a CAVV, and a non-empty result is
	// the response code to decline with. 3-D Secure checking comes later;
	// without the hook, ECI and CAVV are accepted as sent.
	VerifyCAVV func(ctx context.Context, a ThreeDSData) string
	// Logger receives the host's log; nil discards it. Card data is never
	// logged.
	Logger *slog.Logger
	// Now returns the current time; nil is time.Now.
	Now func() time.Time
}

// ThreeDSData is what an authorization says about its 3-D Secure
// authentication, for [Config.VerifyCAVV]. The CAVV is passed in clear:
// the hook must not log it.
type ThreeDSData struct {
	Last4           string
	Amount          int64
	Currency        string // ISO 4217 numeric
	ECI             string
	CAVV            string
	Version         string
	DSTransactionID string
}

// Faults makes the host misbehave on purpose, for tests and drills. Each
// share is a probability from 0 to 1, drawn per request.
type Faults struct {
	// Latency is added before a request is processed.
	Latency time.Duration
	// DropShare is the share of requests processed but not answered.
	DropShare float64
	// DisconnectShare is the share of requests processed after which the
	// connection is closed instead of answered.
	DisconnectShare float64
	// DeclineShare is the share of requests answered with DeclineCode
	// without being processed (an outage).
	DeclineShare float64
	// DeclineCode is the code of those answers: "91" (issuer inoperative)
	// or "96" (system malfunction, the default).
	DeclineCode string
	// MTIs limits the faults to these request types ("0100", "0400", …;
	// repeats count as their request). Empty means every financial
	// request: 0100, 0200, 0220 and 0400. Network management (0800) is
	// never disturbed.
	MTIs []string
}

// applies reports whether the faults concern a request of type mti.
func (f *Faults) applies(mti string) bool {
	mti = iso8583msg.Unrepeated(mti)
	if mti == iso8583msg.MTINetwork {
		return false
	}
	if len(f.MTIs) == 0 {
		return true
	}
	return slices.Contains(f.MTIs, mti)
}

func (f *Faults) declineCode() string {
	if f.DeclineCode == "" {
		return iso8583msg.SystemMalfunction
	}
	return f.DeclineCode
}
