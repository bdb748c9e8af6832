package issuersim

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/moov-io/iso8583"

	"github.com/kessai/kessai/iso8583msg"
	"github.com/kessai/kessai/sqlstore"
)

// handle answers one request read from c, applying the fault injection.
func (s *Server) handle(c *conn, raw []byte) {
	m, err := iso8583msg.Unpack(raw)
	if err != nil {
		// Without a readable STAN there is nothing to answer.
		s.log.Warn("unreadable request dropped", "err", err)
		return
	}
	mti := iso8583msg.MTI(m)
	if iso8583msg.ResponseMTI(mti) == "" {
		s.log.Debug("message ignored", "iso8583", iso8583msg.Log(m))
		return
	}
	f := s.Faults()
	faulty := f.applies(mti)
	var resp []byte
	if faulty && chance(f.DeclineShare) {
		s.log.Info("fault: outage answer", "code", f.declineCode(), "iso8583", iso8583msg.Log(m))
		resp = echo(m, f.declineCode())
	} else {
		if faulty && f.Latency > 0 {
			t := time.NewTimer(f.Latency)
			select {
			case <-t.C:
			case <-s.done:
				t.Stop()
				return
			}
		}
		resp = s.process(m)
	}
	if resp == nil {
		return
	}
	if faulty && chance(f.DisconnectShare) {
		s.log.Info("fault: disconnect instead of answering", "iso8583", iso8583msg.Log(m))
		c.close()
		return
	}
	if faulty && chance(f.DropShare) {
		s.log.Info("fault: answer dropped", "iso8583", iso8583msg.Log(m))
		return
	}
	if err := c.write(resp); err != nil {
		s.log.Warn("answer not sent", "err", err)
	}
}

func chance(p float64) bool { return p > 0 && (p >= 1 || rand.Float64() < p) }

// process decides a request and returns the packed answer, or nil when
// there is none to give.
func (s *Server) process(m *iso8583.Message) []byte {
	req, err := iso8583msg.DecodeRequest(m)
	if errors.Is(err, iso8583msg.ErrUnsupportedMTI) {
		return echo(m, iso8583msg.InvalidTransaction)
	}
	if err != nil {
		return echo(m, iso8583msg.FormatError)
	}
	if v, ok := req.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			s.log.Info("malformed request", "err", err, "iso8583", iso8583msg.Log(m))
			return echo(m, iso8583msg.FormatError)
		}
	}
	ctx := context.Background()
	var resp any
	switch r := req.(type) {
	case *iso8583msg.NetworkRequest:
		resp = s.network(r)
	case *iso8583msg.CardRequest:
		o, err := s.inTx(ctx, func(tx *sqlstore.Tx) (outcome, error) {
			switch {
			case iso8583msg.Class(r.MTI) == '2' && r.ProcessingCode == iso8583msg.ProcessingRefund:
				return s.refund(tx, r)
			case r.ProcessingCode == iso8583msg.ProcessingPurchase:
				return s.authorize(ctx, tx, r)
			}
			return outcome{code: iso8583msg.InvalidTransaction}, nil
		})
		if err != nil {
			s.log.Error("request failed", "err", err, "iso8583", iso8583msg.Log(m))
		}
		resp = cardResponse(r, o)
	case *iso8583msg.CaptureAdvice:
		o, err := s.inTx(ctx, func(tx *sqlstore.Tx) (outcome, error) { return s.capture(tx, r) })
		if err != nil {
			s.log.Error("request failed", "err", err, "iso8583", iso8583msg.Log(m))
		}
		resp = &iso8583msg.CaptureAdviceResponse{
			MTI: iso8583msg.ResponseMTI(r.MTI), ProcessingCode: r.ProcessingCode, Amount: r.Amount, Trace: r.Trace,
			RRN: o.rrn, ApprovalCode: o.approval, ResponseCode: o.code, Currency: r.Currency, Original: r.Original,
		}
	case *iso8583msg.ReversalRequest:
		o, err := s.inTx(ctx, func(tx *sqlstore.Tx) (outcome, error) { return s.reverse(tx, r) })
		if err != nil {
			s.log.Error("request failed", "err", err, "iso8583", iso8583msg.Log(m))
		}
		resp = &iso8583msg.ReversalResponse{
			MTI: iso8583msg.ResponseMTI(r.MTI), ProcessingCode: r.ProcessingCode, Amount: r.Amount, Trace: r.Trace,
			RRN: o.rrn, ResponseCode: o.code, Currency: r.Currency, Original: r.Original,
		}
	}
	raw, err := iso8583msg.Pack(resp)
	if err != nil {
		s.log.Error("answer does not pack", "err", err, "iso8583", iso8583msg.Log(m))
		return echo(m, iso8583msg.SystemMalfunction)
	}
	s.log.Debug("answered", "iso8583", iso8583msg.Log(m), "code", responseCode(resp))
	return raw
}

// inTx runs fn in a write transaction; a failure rolls back fn's changes
// and is answered with 96 (system malfunction).
func (s *Server) inTx(ctx context.Context, fn func(tx *sqlstore.Tx) (outcome, error)) (outcome, error) {
	var o outcome
	err := s.write(ctx, func(tx *sqlstore.Tx) error {
		var err error
		o, err = fn(tx)
		return err
	})
	if err != nil {
		return outcome{code: iso8583msg.SystemMalfunction}, err
	}
	return o, nil
}

// network answers a sign-on, sign-off or echo.
func (s *Server) network(r *iso8583msg.NetworkRequest) *iso8583msg.NetworkResponse {
	code := iso8583msg.Approved
	switch r.Code {
	case iso8583msg.SignOn, iso8583msg.SignOff, iso8583msg.Echo:
	default:
		code = iso8583msg.InvalidTransaction
	}
	return &iso8583msg.NetworkResponse{MTI: iso8583msg.MTINetworkResponse, Trace: r.Trace, ResponseCode: code, Code: r.Code}
}

// cardResponse builds the answer to a card request from its outcome.
func cardResponse(r *iso8583msg.CardRequest, o outcome) *iso8583msg.CardResponse {
	resp := &iso8583msg.CardResponse{
		MTI: iso8583msg.ResponseMTI(r.MTI), ProcessingCode: r.ProcessingCode, Amount: r.Amount, Trace: r.Trace,
		RRN: o.rrn, ApprovalCode: o.approval, ResponseCode: o.code, Currency: r.Currency,
	}
	if o.cvv2 != "" {
		resp.Additional = &iso8583msg.Additional{CVV2Result: o.cvv2}
	}
	return resp
}

func responseCode(resp any) string {
	switch r := resp.(type) {
	case *iso8583msg.CardResponse:
		return r.ResponseCode
	case *iso8583msg.CaptureAdviceResponse:
		return r.ResponseCode
	case *iso8583msg.ReversalResponse:
		return r.ResponseCode
	case *iso8583msg.NetworkResponse:
		return r.ResponseCode
	}
	return ""
}

// echoFields are the fields an answer built without decoding echoes.
var echoFields = []int{3, 4, 7, 11, 32, 37, 41, 42, 49}

// echo builds an answer to m with the response code alone, echoing the
// fields that identify m; it returns nil when m is not a request.
func echo(m *iso8583.Message, code string) []byte {
	mti := iso8583msg.ResponseMTI(iso8583msg.MTI(m))
	if mti == "" {
		return nil
	}
	out := iso8583msg.NewMessage()
	out.MTI(mti)
	for _, id := range echoFields {
		if v, err := m.GetString(id); err == nil && v != "" {
			out.Field(id, v)
		}
	}
	out.Field(39, code)
	raw, err := out.Pack()
	if err != nil {
		return nil
	}
	return raw
}
