package issuersim_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/kessai/kessai/card"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/iso8583msg"
	"github.com/kessai/kessai/issuersim"
)

func TestFaults(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		s := start(t, dsn, issuersim.Faults{})
		const pan = "6250947000000006"
		held := func() int64 {
			a, err := s.Account(context.Background(), card.MustParseNumber(pan))
			if err != nil {
				return 0
			}
			return a.Balance("thb").Held
		}

		t.Run("outage answers", func(t *testing.T) {
			c := dial(t, s.Addr())
			s.SetFaults(issuersim.Faults{DeclineShare: 1, DeclineCode: "91"})
			r := c.authorize(pan, 100, "")
			if r.ResponseCode != "91" || r.ApprovalCode != "" {
				t.Errorf("outage: %s", r.ResponseCode)
			}
			// Only the listed types are disturbed.
			s.SetFaults(issuersim.Faults{DeclineShare: 1, MTIs: []string{"0400"}})
			if r := c.authorize(pan, 100, ""); r.ResponseCode != "00" {
				t.Errorf("0100 with 0400 faults: %s", r.ResponseCode)
			}
			auth := c.auth(pan, 1, "")
			auth.MTI = iso8583msg.MTIAuthorization
			rev := c.reversal(iso8583msg.MTIAuthorization, auth.Trace, 1)
			rev.MTI = iso8583msg.MTIReversalRepeat
			if r := c.roundTrip(rev).(*iso8583msg.ReversalResponse); r.ResponseCode != "96" {
				t.Errorf("0401 with 0400 faults: %s", r.ResponseCode)
			}
			s.SetFaults(issuersim.Faults{})
			// The outage answer was not stored: the repeat is processed.
			if r := c.roundTrip(rev).(*iso8583msg.ReversalResponse); r.ResponseCode != "00" {
				t.Errorf("0401 after the outage: %s", r.ResponseCode)
			}
		})

		t.Run("dropped answer", func(t *testing.T) {
			c := dial(t, s.Addr())
			before := held()
			s.SetFaults(issuersim.Faults{DropShare: 1})
			auth := c.auth(pan, 100, "")
			c.send(auth)
			// The request is processed, its answer never sent.
			eventually(t, "hold of the dropped request", func() bool { return held() == before+100 })
			s.SetFaults(issuersim.Faults{})
			echo := c.trace()
			r := c.roundTrip(&iso8583msg.NetworkRequest{MTI: iso8583msg.MTINetwork, Trace: echo, Code: iso8583msg.Echo})
			if nr, ok := r.(*iso8583msg.NetworkResponse); !ok || nr.STAN != echo.STAN {
				t.Errorf("next answer after the drop: %+v", r)
			}
			// A repeat gets the answer that was dropped.
			auth.MTI = iso8583msg.MTIAuthorizationRepeat
			if r := c.roundTrip(auth).(*iso8583msg.CardResponse); r.ResponseCode != "00" {
				t.Errorf("repeat after drop: %s", r.ResponseCode)
			}
		})

		t.Run("disconnect", func(t *testing.T) {
			c := dial(t, s.Addr())
			before := held()
			s.SetFaults(issuersim.Faults{DisconnectShare: 1})
			c.send(c.auth(pan, 100, ""))
			c.nc.SetReadDeadline(time.Now().Add(deadline))
			if _, err := iso8583msg.ReadFrame(c.r); !errors.Is(err, io.EOF) {
				t.Errorf("read after disconnect: %v, want EOF", err)
			}
			if got := held(); got != before+100 {
				t.Errorf("held %d, want the request processed", got-before)
			}
			s.SetFaults(issuersim.Faults{})
			// The host keeps serving new connections.
			if r := dial(t, s.Addr()).authorize(pan, 1, ""); r.ResponseCode != "00" {
				t.Errorf("after reconnect: %s", r.ResponseCode)
			}
		})

		t.Run("disconnect all", func(t *testing.T) {
			c := dial(t, s.Addr())
			c.authorize(pan, 1, "")
			s.DisconnectAll()
			c.nc.SetReadDeadline(time.Now().Add(deadline))
			if _, err := iso8583msg.ReadFrame(c.r); !errors.Is(err, io.EOF) {
				t.Errorf("read after DisconnectAll: %v, want EOF", err)
			}
		})
	})
}

// TestRestart checks that accounts and answers outlive the host: the
// card number key is kept in the database.
func TestRestart(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		s := start(t, dsn, issuersim.Faults{})
		c := dial(t, s.Addr())
		auth := c.auth("4111111111111111", 250, "")
		first := c.roundTrip(auth).(*iso8583msg.CardResponse)
		s.Close()

		s2 := start(t, dsn, issuersim.Faults{})
		c2 := dial(t, s2.Addr())
		auth.MTI = iso8583msg.MTIAuthorizationRepeat
		if r := c2.roundTrip(auth).(*iso8583msg.CardResponse); r.ApprovalCode != first.ApprovalCode {
			t.Errorf("repeat after restart: %q, want %q", r.ApprovalCode, first.ApprovalCode)
		}
		if got := balance(t, s2, "4111111111111111").Held; got != 250 {
			t.Errorf("held after restart = %d", got)
		}
	})
}
