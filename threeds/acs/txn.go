package acs

import (
	"time"

	"sync"

	"github.com/kessai/kessai/card"
	"github.com/kessai/kessai/threeds"
)

// Challenge states of a transaction.
const (
	awaitingCReq = iota // ARes C sent; the CReq must come within CReqTimeout
	challenging         // a challenge page is shown
	done                // the result is final and the RReq built
)

// txn is a transaction of the ACS. Card data is never kept: only the
// card key, the last four digits and the brand.
type txn struct {
	mu sync.Mutex

	ids             threeds.Header // version and the three transaction IDs
	category        string
	dsURL           string
	notificationURL string
	merchant        string
	amount          int64
	currency        string // ISO 4217 numeric
	exponent        int
	last4           string
	brand           card.Brand
	cardKey, device string
	created         time.Time
	ares            *threeds.ARes

	state       int
	deadline    time.Time // of the current wait (first CReq, or the page)
	timer       *time.Timer
	tries       int
	page        string // token of the page shown; a stale one is not counted
	sessionData string
	errorText   string
	rreq        *threeds.RReq // the final result
	lateCReq    bool          // done because no CReq came in time
}

// stopTimer stops the transaction's timer, if any.
func (t *txn) stopTimer() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.timer != nil {
		t.timer.Stop()
	}
}

// eci returns the ECI of a result for the card's brand: Mastercard
// 02/01/00, every other brand 05/06/07 (authenticated, attempted, not).
func eci(b card.Brand, status string) string {
	mc := b == card.Mastercard
	switch status {
	case threeds.StatusAuthenticated:
		if mc {
			return "02"
		}
		return "05"
	case threeds.StatusAttempted:
		if mc {
			return "01"
		}
		return "06"
	}
	if mc {
		return "00"
	}
	return "07"
}

// proof returns the ECI and CAVV of a result: both for Y and A, the
// not-authenticated ECI (07, Mastercard 00) alone for N, U and R, and
// neither for C and I.
func (a *ACS) proof(t *txn, status string) (eciValue, cavvValue string) {
	switch status {
	case threeds.StatusNotAuthed, threeds.StatusUnavailable, threeds.StatusRejected:
		return eci(t.brand, status), ""
	case threeds.StatusAuthenticated, threeds.StatusAttempted:
	default:
		return "", ""
	}
	e := eci(t.brand, status)
	return e, cavv(a.cfg.Key, t.ids.DSTransID, t.last4, t.amount, t.currency, e)
}

func (a *ACS) lookup(acsTransID string) *txn {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.txs[acsTransID]
}

// keep stores a transaction; every 1024 insertions it drops those older
// than an hour past the challenge timeout.
func (a *ACS) keep(t *txn) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if n := len(a.txs); n > 0 && n%1024 == 0 {
		limit := a.now().Add(-a.cfg.ChallengeTimeout - time.Hour)
		for k, v := range a.txs {
			if v.created.Before(limit) {
				delete(a.txs, k)
				delete(a.byDS, v.ids.DSTransID)
			}
		}
		for k, v := range a.methods {
			if v.Before(limit) {
				delete(a.methods, k)
			}
		}
	}
	a.txs[t.ids.ACSTransID] = t
	a.byDS[t.ids.DSTransID] = t
}
