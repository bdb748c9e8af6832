package acs

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sync"
	"time"

	"github.com/kessai/kessai/card"
	"github.com/kessai/kessai/threeds"
)

// ACS is the simulated card company's Access Control Server. It is safe
// for concurrent use.
type ACS struct {
	cfg    Config
	ctx    context.Context // cancelled by Close: stops RReq retries
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu         sync.Mutex
	txs        map[string]*txn             // by acsTransID
	byDS       map[string]*txn             // by dsTransID (repeated AReqs)
	devices    map[string]map[string]bool  // card key → known device fingerprints
	thresholds map[string]map[string]int64 // card key → currency → amount
	methods    map[string]time.Time        // threeDSServerTransID → 3DS Method run

	handler http.Handler // both faces, built once
}

// New returns an ACS for cfg. It fails when cfg lacks its URL, key or
// client. Call Close to stop its timers.
func New(cfg Config) (*ACS, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	a := &ACS{
		cfg: cfg, ctx: ctx, cancel: cancel,
		txs: map[string]*txn{}, byDS: map[string]*txn{},
		devices: map[string]map[string]bool{}, thresholds: map[string]map[string]int64{},
		methods: map[string]time.Time{},
	}
	a.handler = a.mux()
	return a, nil
}

// Close stops the ACS's timers and RReq retries and waits for them. It
// returns nil.
func (a *ACS) Close() error {
	a.cancel()
	a.mu.Lock()
	txs := make([]*txn, 0, len(a.txs))
	for _, t := range a.txs {
		txs = append(txs, t)
	}
	a.mu.Unlock()
	// Lock order: a transaction's lock before the ACS's, never the reverse.
	for _, t := range txs {
		t.stopTimer()
	}
	a.wg.Wait()
	return nil
}

// AReqURL returns the URL the DS posts AReqs to.
func (a *ACS) AReqURL() string { return a.cfg.URL + "/areq" }

// ChallengeURL returns the acsURL of the challenges.
func (a *ACS) ChallengeURL() string { return a.cfg.URL + "/challenge" }

// MethodURL returns the 3DS Method URL.
func (a *ACS) MethodURL() string { return a.cfg.URL + "/method" }

// CardRanges returns the card ranges the ACS serves, for the DS; see
// [Ranges].
func (a *ACS) CardRanges() []threeds.CardRange { return Ranges(a.MethodURL()) }

// Ranges returns the card ranges of the simulated card company, with the
// given 3DS Method URL: every Visa, Mastercard, JCB, American Express,
// Diners, Discover and UnionPay number (it issues them all), 2.1.0 to
// 2.2.0. A DS running apart from the ACS routes with them ([ACS.AReqURL]
// is the ACS's URL plus "/areq").
func Ranges(methodURL string) []threeds.CardRange {
	bounds := [][2]string{
		{"300000000000000", "399999999999999"}, // Amex: 15 digits
		{"30000000000000", "39999999999999"},   // Diners: 14 digits
		{"3000000000000000", "3999999999999999"},
		{"4000000000000", "4999999999999"}, // Visa: 13 digits
		{"4000000000000000", "4999999999999999"},
		{"5000000000000000", "5999999999999999"},
		{"2000000000000000", "2999999999999999"},
		{"6000000000000000", "6999999999999999"},
	}
	var rs []threeds.CardRange
	for _, b := range bounds {
		rs = append(rs, threeds.CardRange{
			StartRange: b[0], EndRange: b[1], ActionInd: threeds.ActionAdd,
			ACSStartProtocolVersion: threeds.Version210, ACSEndProtocolVersion: threeds.Version220,
			ACSInfoInd: []string{"01", "02"}, ThreeDSMethodURL: methodURL,
		})
	}
	return rs
}

// SetThreshold sets the amount (minor units) above which purchases in
// currency (ISO 4217 numeric) with the card are challenged.
func (a *ACS) SetThreshold(n card.Number, currency string, amount int64) {
	k := a.cardKey(n.Reveal())
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.thresholds[k] == nil {
		a.thresholds[k] = map[string]int64{}
	}
	a.thresholds[k][currency] = amount
}

func (a *ACS) threshold(cardKey, currency string) int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	if v, ok := a.thresholds[cardKey][currency]; ok {
		return v
	}
	return a.cfg.Threshold
}

// knownDevice reports whether the device is one the cardholder used in
// an authenticated purchase before.
func (a *ACS) knownDevice(cardKey, device string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.devices[cardKey][device]
}

// rememberDevice records the device as the cardholder's.
func (a *ACS) rememberDevice(cardKey, device string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.devices[cardKey] == nil {
		a.devices[cardKey] = map[string]bool{}
	}
	a.devices[cardKey][device] = true
}

// mac returns a hex HMAC-SHA256 of the parts under the ACS key, with a
// purpose label: card keys and device fingerprints, never the numbers.
func (a *ACS) mac(purpose string, parts ...string) string {
	m := hmac.New(sha256.New, a.cfg.Key)
	m.Write([]byte(purpose))
	for _, p := range parts {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	return hex.EncodeToString(m.Sum(nil)[:16])
}

func (a *ACS) cardKey(number string) string { return a.mac("card", number) }

// deviceOf returns the fingerprint of the browser described by the AReq.
func (a *ACS) deviceOf(m *threeds.AReq) string {
	b := m.BrowserInfo
	return a.mac("device", b.BrowserUserAgent, b.BrowserAcceptHeader, b.BrowserLanguage,
		b.BrowserColorDepth, b.BrowserScreenHeight, b.BrowserScreenWidth, b.BrowserTZ)
}

// ServeHTTP serves both faces of the ACS under its URL's path: the DS's
// AReq endpoint ([ACS.DSHandler], mutual TLS) and the browser's pages
// ([ACS.BrowserHandler]). A listener serving both should ask for client
// certificates without requiring them (tls.VerifyClientCertIfGiven).
func (a *ACS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.handler.ServeHTTP(w, r)
}

// DSHandler returns the handler of the AReq endpoint alone.
func (a *ACS) DSHandler() http.Handler { return http.HandlerFunc(a.serveAReq) }

// BrowserHandler returns the handler of the browser's pages alone: the
// 3DS Method and the challenge, under the URL's path.
func (a *ACS) BrowserHandler() http.Handler {
	mux := http.NewServeMux()
	p := a.path()
	mux.HandleFunc("POST "+p+"/method", a.serveMethod)
	mux.HandleFunc("POST "+p+"/challenge", a.serveCReq)
	mux.HandleFunc("POST "+p+"/challenge/{id}", a.serveAnswer)
	return mux
}

func (a *ACS) mux() *http.ServeMux {
	mux := http.NewServeMux()
	p := a.path()
	mux.HandleFunc("POST "+p+"/areq", a.serveAReq)
	mux.Handle(p+"/", a.BrowserHandler())
	return mux
}

// path returns the path of the ACS's URL, without a trailing slash.
func (a *ACS) path() string {
	u := a.cfg.URL
	for i := len("https://"); i < len(u); i++ {
		if u[i] == '/' {
			return u[i:]
		}
	}
	return ""
}

// now returns the current time.
func (a *ACS) now() time.Time { return a.cfg.Now() }
