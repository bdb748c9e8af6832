package ds

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/kessai/kessai/threeds"
)

// Server is the Directory Server. It is an http.Handler for its one URL.
type Server struct {
	cfg Config

	mu    sync.Mutex
	txs   map[string]*tx       // by dsTransID
	preqs map[string]time.Time // last PReq per threeDSServerRefNumber
}

// tx is what the DS keeps of a transaction.
type tx struct {
	mu        sync.Mutex // held while an RReq is relayed
	created   time.Time
	serverURL string // threeDSServerURL
	serverID  string // threeDSServerTransID
	acsID     string // acsTransID, from the ARes
	status    string // the ARes's transStatus
	rreq      *threeds.RReq
	rres      *threeds.RRes
}

// New returns a DS for cfg. It fails when cfg lacks its URL, ranges or
// client, or a range is malformed.
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Server{cfg: cfg, txs: map[string]*tx{}, preqs: map[string]time.Time{}}, nil
}

// ServeHTTP answers a POSTed PReq, AReq or RReq with its answer or an
// Erro (component D), always with status 200; other methods get 405.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	m, err := threeds.ReadMessage(r)
	if err == nil && (r.TLS == nil || len(r.TLS.VerifiedChains) == 0) {
		err = threeds.Errorf(threeds.CodeAccessDenied, "", "A verified client certificate is required.")
	}
	if err == nil {
		switch m := m.(type) {
		case *threeds.AReq:
			var ares *threeds.ARes
			if ares, err = s.authenticate(r.Context(), m); err == nil {
				threeds.WriteMessage(w, ares)
				return
			}
		case *threeds.PReq:
			var pres *threeds.PRes
			if pres, err = s.prepare(m); err == nil {
				threeds.WriteMessage(w, pres)
				return
			}
		case *threeds.RReq:
			var rres *threeds.RRes
			if rres, err = s.results(r.Context(), m); err == nil {
				threeds.WriteMessage(w, rres)
				return
			}
		default:
			err = threeds.Errorf(threeds.CodeMessageNotRecognised, "messageType", "The DS does not accept this message type.")
		}
	}
	s.writeErro(w, m, err)
}

// writeErro answers with the Erro for err: the peer's own Erro when err
// carries one (relayed as it came), else a new one from the DS.
func (s *Server) writeErro(w http.ResponseWriter, m threeds.Message, err error) {
	var h *threeds.Header
	typ := ""
	if m != nil {
		h, typ = m.Head(), m.Type()
	}
	if e, ok := err.(*threeds.Error); ok && e.Erro != nil {
		threeds.WriteMessage(w, e.Erro)
		return
	}
	s.cfg.Logger.Info("ds erro", "code", threeds.ErrorCode(err), "message_type", typ, "error", err)
	threeds.WriteMessage(w, threeds.NewErro(h, typ, threeds.ComponentDS, err))
}

// prepare answers a PReq with the range list.
func (s *Server) prepare(m *threeds.PReq) (*threeds.PRes, error) {
	if err := s.checkServer(m.ThreeDSServerRefNumber); err != nil {
		return nil, err
	}
	if m.SerialNum != "" && m.SerialNum != s.cfg.SerialNum {
		return nil, threeds.Errorf(threeds.CodeSerialNumInvalid, "serialNum", "The serial number is not known.")
	}
	now := s.cfg.Now()
	s.mu.Lock()
	last, seen := s.preqs[m.ThreeDSServerRefNumber]
	if s.cfg.PReqInterval > 0 && seen && now.Sub(last) < s.cfg.PReqInterval {
		s.mu.Unlock()
		return nil, threeds.Errorf(threeds.CodeTooManyPReqs, "", "Too many PReq messages.")
	}
	s.preqs[m.ThreeDSServerRefNumber] = now
	s.mu.Unlock()
	res := &threeds.PRes{
		Header:                 threeds.Header{MessageVersion: m.MessageVersion, ThreeDSServerTransID: m.ThreeDSServerTransID, DSTransID: threeds.NewTransID()},
		DSStartProtocolVersion: threeds.SupportedVersions[0],
		DSEndProtocolVersion:   threeds.SupportedVersions[len(threeds.SupportedVersions)-1],
		SerialNum:              s.cfg.SerialNum,
	}
	if m.SerialNum == "" { // the full list; with the current serial, no change
		for _, r := range s.cfg.Ranges {
			cr := r.CardRange
			cr.ActionInd = threeds.ActionAdd
			res.CardRangeData = append(res.CardRangeData, cr)
		}
	}
	return res, nil
}

// checkServer enforces [Config.ServerRefNumbers].
func (s *Server) checkServer(ref string) error {
	if len(s.cfg.ServerRefNumbers) > 0 && !slices.Contains(s.cfg.ServerRefNumbers, ref) {
		return threeds.Errorf(threeds.CodeAccessDenied, "threeDSServerRefNumber", "The 3DS Server is not registered with the DS.")
	}
	return nil
}

// rangeFor returns the range holding the card number, or false.
func (s *Server) rangeFor(number string) (Range, bool) {
	for _, r := range s.cfg.Ranges {
		if r.Contains(number) {
			return r, true
		}
	}
	return Range{}, false
}

// lookup returns the transaction with this dsTransID, or nil; it drops
// expired transactions as it goes.
func (s *Server) lookup(id string) *tx {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.txs[id]
	if t != nil && s.cfg.Now().Sub(t.created) > s.cfg.Retention {
		delete(s.txs, id)
		return nil
	}
	return t
}

// store keeps a new transaction, first dropping expired ones when the
// table has grown.
func (s *Server) store(id string, t *tx) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.txs) >= 1024 && len(s.txs)%1024 == 0 {
		now := s.cfg.Now()
		for k, v := range s.txs {
			if now.Sub(v.created) > s.cfg.Retention {
				delete(s.txs, k)
			}
		}
	}
	s.txs[id] = t
}

// timeout returns a context bounded by d.
func timeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, d)
}
