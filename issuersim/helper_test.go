package issuersim_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kessai/kessai/card"
	"github.com/kessai/kessai/iso8583msg"
	"github.com/kessai/kessai/issuersim"
)

// deadline bounds every wait in these tests; it is never an assertion.
const deadline = 20 * time.Second

// start runs an issuer host on dsn at a free loopback port until the test
// ends.
func start(t *testing.T, dsn string, faults issuersim.Faults) *issuersim.Server {
	t.Helper()
	s, err := issuersim.New(issuersim.Config{DSN: dsn, Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background(), "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// stans numbers requests across clients: two clients of one test share
// the terminal, and the host keys requests by terminal and STAN.
var stans atomic.Int64

// client is a bare acquirer connection: frames in, frames out.
type client struct {
	t   *testing.T
	nc  net.Conn
	r   *bufio.Reader
	now time.Time
}

func dial(t *testing.T, addr string) *client {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, deadline)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &client{t: t, nc: nc, r: bufio.NewReader(nc), now: time.Now().UTC()}
}

// trace returns a new trace with the next STAN.
func (c *client) trace() iso8583msg.Trace {
	return iso8583msg.Trace{
		TransmissionTime: iso8583msg.TransmissionTime(c.now),
		STAN:             fmt.Sprintf("%06d", stans.Add(1)),
		AcquirerID:       "4100001",
		TerminalID:       "TERM0001",
		MerchantID:       "MERCHANT1",
	}
}

func (c *client) send(v any) {
	c.t.Helper()
	raw, err := iso8583msg.Pack(v)
	if err != nil {
		c.t.Fatalf("pack %T: %v", v, err)
	}
	if err := iso8583msg.WriteFrame(c.nc, raw); err != nil {
		c.t.Fatal(err)
	}
}

// receive reads the next answer; it fails the test at the deadline.
func (c *client) receive() any {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(deadline))
	raw, err := iso8583msg.ReadFrame(c.r)
	if err != nil {
		c.t.Fatalf("read answer: %v", err)
	}
	m, err := iso8583msg.Unpack(raw)
	if err != nil {
		c.t.Fatal(err)
	}
	v, err := iso8583msg.DecodeResponse(m)
	if err != nil {
		c.t.Fatal(err)
	}
	return v
}

func (c *client) roundTrip(v any) any {
	c.t.Helper()
	c.send(v)
	return c.receive()
}

// auth builds a 0100 for a card, valid for years to come.
func (c *client) auth(pan string, amount int64, cvv string) *iso8583msg.CardRequest {
	req := &iso8583msg.CardRequest{
		MTI: iso8583msg.MTIAuthorization, PAN: iso8583msg.PAN(pan), ProcessingCode: iso8583msg.ProcessingPurchase,
		Amount: amount, Trace: c.trace(), Expiry: iso8583msg.Sensitive(iso8583msg.Expiry(12, c.now.Year()+3)),
		POSEntryMode: iso8583msg.POSEntryEcommerce, POSCondition: iso8583msg.POSConditionEcommerce,
		Currency: "764", Additional: &iso8583msg.Additional{Reference: "chrg_test_" + pan[len(pan)-4:]},
	}
	if cvv != "" {
		req.Additional.CVV2 = iso8583msg.Sensitive(cvv)
	}
	return req
}

func (c *client) authorize(pan string, amount int64, cvv string) *iso8583msg.CardResponse {
	c.t.Helper()
	return c.roundTrip(c.auth(pan, amount, cvv)).(*iso8583msg.CardResponse)
}

// reversal builds a 0400 of an earlier request.
func (c *client) reversal(origMTI string, orig iso8583msg.Trace, amount int64) *iso8583msg.ReversalRequest {
	return &iso8583msg.ReversalRequest{
		MTI: iso8583msg.MTIReversal, ProcessingCode: iso8583msg.ProcessingPurchase, Amount: amount, Trace: c.trace(),
		Currency: "764", Original: iso8583msg.OriginalOf(origMTI, orig),
	}
}

func (c *client) capture(orig iso8583msg.Trace, amount int64) *iso8583msg.CaptureAdviceResponse {
	c.t.Helper()
	return c.roundTrip(&iso8583msg.CaptureAdvice{
		MTI: iso8583msg.MTICaptureAdvice, ProcessingCode: iso8583msg.ProcessingPurchase, Amount: amount,
		Trace: c.trace(), Currency: "764", Original: iso8583msg.OriginalOf(iso8583msg.MTIAuthorization, orig),
	}).(*iso8583msg.CaptureAdviceResponse)
}

func (c *client) refund(orig iso8583msg.Trace, amount int64) *iso8583msg.CardResponse {
	c.t.Helper()
	return c.roundTrip(&iso8583msg.CardRequest{
		MTI: iso8583msg.MTIFinancial, ProcessingCode: iso8583msg.ProcessingRefund, Amount: amount,
		Trace: c.trace(), Currency: "764", Original: iso8583msg.OriginalOf(iso8583msg.MTIAuthorization, orig),
		Additional: &iso8583msg.Additional{Reference: "rfnd_test_1"},
	}).(*iso8583msg.CardResponse)
}

// balance returns the THB balance of a card's account.
func balance(t *testing.T, s *issuersim.Server, pan string) issuersim.Balance {
	t.Helper()
	a, err := s.Account(context.Background(), card.MustParseNumber(pan))
	if err != nil {
		t.Fatalf("account of ****%s: %v", pan[len(pan)-4:], err)
	}
	return a.Balance("thb")
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("%s: not reached before the deadline", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
