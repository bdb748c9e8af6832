package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/threeds"
)

// Config is what a [Server] needs.
type Config struct {
	// Payments stores the authentications and settles their charges.
	// Required.
	Payments kessai.AuthenticationService
	// Directory sends messages to the Directory Server. Required.
	Directory Directory
	// BaseURL is the gateway's browser-facing base URL, such as
	// "https://127.0.0.1:8443": authorize_uri, the 3DS Method
	// notification and the CRes notification URL are under it. Required.
	BaseURL string
	// ResultsURL is where the DS posts RReqs (threeDSServerURL): the
	// mutual-TLS listener serving [Server.ResultsHandler]. Required.
	ResultsURL string
	// Requestor identifies the merchant side to the DS and ACS.
	RequestorID, RequestorName, RequestorURL string
	// ServerRefNumber is the 3DS Server's EMVCo reference number.
	ServerRefNumber string
	// AcquirerBIN, MCC and MerchantCountry (ISO 3166-1 numeric) go into
	// every AReq; defaults "400000", "5999" and "392".
	AcquirerBIN, MCC, MerchantCountry string
	// MethodTimeout bounds the 3DS Method; 0 means 10 s.
	MethodTimeout time.Duration
	// FirstCReqTimeout is how long the browser has to fetch the CReq
	// after a challenge is asked for; 0 means 30 s.
	FirstCReqTimeout time.Duration
	// ChallengeTimeout is how long a challenge may take before the
	// sweeper times the authentication out; 0 means 10 min.
	ChallengeTimeout time.Duration
	// Logger receives the server's log lines (never card data); nil
	// discards them.
	Logger *slog.Logger
}

// Server is the 3DS Server. It is safe for concurrent use.
type Server struct {
	cfg Config
	log *slog.Logger

	mu        sync.Mutex
	ranges    []threeds.CardRange
	rangesAt  time.Time
	rangesErr time.Time
}

// New returns a Server. It panics when Payments or Directory is nil.
func New(cfg Config) *Server {
	if cfg.Payments == nil || cfg.Directory == nil {
		panic("server: Config.Payments and Directory are required")
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&cfg.AcquirerBIN, "400000")
	def(&cfg.MCC, "5999")
	def(&cfg.MerchantCountry, "392")
	def(&cfg.RequestorID, "kessai-3dsr")
	def(&cfg.RequestorName, "Kessai")
	def(&cfg.RequestorURL, cfg.BaseURL)
	def(&cfg.ServerRefNumber, "KESSAI-3DSS-1")
	if cfg.MethodTimeout <= 0 {
		cfg.MethodTimeout = 10 * time.Second
	}
	if cfg.FirstCReqTimeout <= 0 {
		cfg.FirstCReqTimeout = 30 * time.Second
	}
	if cfg.ChallengeTimeout <= 0 {
		cfg.ChallengeTimeout = 10 * time.Minute
	}
	s := &Server{cfg: cfg, log: cfg.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// AuthorizeURL returns the authorize_uri of an authentication id.
func (s *Server) AuthorizeURL(id string) string {
	return s.cfg.BaseURL + "/payments/" + id + "/authorize"
}

// Handler returns the browser-facing handler: GET and POST
// /payments/{id}/authorize, POST /payments/{id}/method (the 3DS Method
// notification), POST /payments/{id}/notify (the CRes), GET
// /payments/{id}/result (the result as JSON, for Kessai.authorize) and
// GET /3ds/authorize.js. Mount it at the gateway's root.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /payments/{id}/authorize", s.getAuthorize)
	mux.HandleFunc("POST /payments/{id}/authorize", s.postAuthorize)
	mux.HandleFunc("POST /payments/{id}/method", s.methodNotification)
	mux.HandleFunc("POST /payments/{id}/notify", s.notification)
	mux.HandleFunc("GET /payments/{id}/result", s.result)
	mux.Handle("GET "+ScriptPath, pageScript)
	mux.Handle("GET /3ds/authorize.css", pageStyle)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil {
			w.Header().Set("Strict-Transport-Security", "max-age=63072000")
		}
		mux.ServeHTTP(w, r)
	})
}

// Directory sends a message to the Directory Server and decodes its answer
// into out; an Erro answer is returned as a *threeds.Error carrying it.
type Directory interface {
	Send(ctx context.Context, msg threeds.Message, out threeds.Message) error
}

// HTTPDirectory is a [Directory] reached over HTTPS: Client carries the
// mutual-TLS configuration (the 3DS Server's client certificate and the
// DS's CA).
type HTTPDirectory struct {
	Client *http.Client
	// AReqURL receives AReqs, PReqURL PReqs.
	AReqURL, PReqURL string
}

// Send posts msg to the URL of its type; see [threeds.Post].
func (d *HTTPDirectory) Send(ctx context.Context, msg threeds.Message, out threeds.Message) error {
	url := d.AReqURL
	if msg.Type() == threeds.TypePReq {
		url = d.PReqURL
	}
	if url == "" {
		return errNoDirectory
	}
	return threeds.Post(ctx, d.Client, url, msg, out)
}

// methodURL returns the 3DS Method URL of the card range holding number,
// "" when none; the ranges come from a PReq, cached for an hour.
func (s *Server) methodURL(ctx context.Context, number string) string {
	s.mu.Lock()
	stale := time.Since(s.rangesAt) > time.Hour && time.Since(s.rangesErr) > time.Minute
	s.mu.Unlock()
	if stale {
		s.RefreshRanges(ctx)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.ranges {
		if r.Contains(number) {
			return r.ThreeDSMethodURL
		}
	}
	return ""
}

// RefreshRanges asks the DS for its card ranges (PReq) and caches them.
// Fails when the DS cannot be reached or answers with an Erro; the old
// ranges are kept then.
func (s *Server) RefreshRanges(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req := &threeds.PReq{
		Header:                 threeds.Header{MessageType: threeds.TypePReq, MessageVersion: threeds.Version220, ThreeDSServerTransID: threeds.NewTransID()},
		ThreeDSServerRefNumber: s.cfg.ServerRefNumber,
	}
	var res threeds.PRes
	err := s.cfg.Directory.Send(ctx, req, &res)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.rangesErr = time.Now()
		s.log.Warn("threeds: PReq failed; the 3DS Method is skipped until it works", "err", err)
		return err
	}
	s.ranges, s.rangesAt = res.CardRangeData, time.Now()
	return nil
}

// reread returns the stored authentication again after a conflict.
func (s *Server) reread(ctx context.Context, id string) (*kessai.Authentication, error) {
	return s.cfg.Payments.FindAuthentication(ctx, id)
}

// isConflict reports whether err says another request changed the record.
func isConflict(err error) bool { return kessai.ErrorCode(err) == kessai.EConflict }

var errNoDirectory = errors.New("threeds: no directory server")
