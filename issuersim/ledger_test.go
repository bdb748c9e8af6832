package issuersim_test

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai/card"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/iso8583msg"
	"github.com/kessai/kessai/issuersim"
	"github.com/kessai/kessai/sqlstore"
)

// entry is the part of a ledger entry these tests compare.
type entry struct {
	Kind      string
	Amount    int64
	Reference string
}

func ledger(t *testing.T, s *issuersim.Server, ref string) []entry {
	t.Helper()
	es, err := s.Ledger(context.Background(), issuersim.LedgerQuery{Reference: ref})
	if err != nil {
		t.Fatal(err)
	}
	var out []entry
	for _, e := range es {
		out = append(out, entry{e.Kind, e.Amount, e.Reference})
	}
	return out
}

func TestCaptureAndRefund(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		s := start(t, dsn, issuersim.Faults{})
		c := dial(t, s.Addr())
		const pan = "4242424242424242"
		auth := c.auth(pan, 1000, "123")
		resp := c.roundTrip(auth).(*iso8583msg.CardResponse)
		if resp.ResponseCode != "00" {
			t.Fatalf("auth: %s", resp.ResponseCode)
		}
		// Capture more than held: 13; then 600 of 1000.
		if r := c.capture(auth.Trace, 1001); r.ResponseCode != "13" {
			t.Errorf("capture over the hold: %s", r.ResponseCode)
		}
		r := c.capture(auth.Trace, 600)
		if r.ResponseCode != "00" || r.ApprovalCode != resp.ApprovalCode || r.RRN != resp.RRN {
			t.Errorf("capture: %s approval %q RRN %q", r.ResponseCode, r.ApprovalCode, r.RRN)
		}
		if diff := cmp.Diff(issuersim.Balance{Currency: "thb", Posted: 600, Available: issuersim.DefaultLimit - 600}, balance(t, s, pan)); diff != "" {
			t.Errorf("balance after capture (-want +got):\n%s", diff)
		}
		// A second capture of the same authorization: 12.
		if r := c.capture(auth.Trace, 100); r.ResponseCode != "12" {
			t.Errorf("second capture: %s", r.ResponseCode)
		}
		// Unknown original: 25.
		other := c.trace()
		if r := c.capture(other, 100); r.ResponseCode != "25" {
			t.Errorf("capture of nothing: %s", r.ResponseCode)
		}
		// Refunds up to what was posted.
		if r := c.refund(auth.Trace, 400); r.ResponseCode != "00" || r.ApprovalCode == "" {
			t.Errorf("refund: %s", r.ResponseCode)
		}
		if r := c.refund(auth.Trace, 201); r.ResponseCode != "13" {
			t.Errorf("refund past the posting: %s", r.ResponseCode)
		}
		if got := balance(t, s, pan).Posted; got != 200 {
			t.Errorf("posted after refund = %d", got)
		}
		want := []entry{
			{issuersim.LedgerHold, 1000, "chrg_test_4242"},
			{issuersim.LedgerCapture, 600, "chrg_test_4242"},
			{issuersim.LedgerRelease, 400, "chrg_test_4242"},
		}
		if diff := cmp.Diff(want, ledger(t, s, "chrg_test_4242")); diff != "" {
			t.Errorf("charge ledger (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]entry{{issuersim.LedgerRefund, 400, "rfnd_test_1"}}, ledger(t, s, "rfnd_test_1")); diff != "" {
			t.Errorf("refund ledger (-want +got):\n%s", diff)
		}
		all, err := s.Ledger(context.Background(), issuersim.LedgerQuery{})
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range all {
			if e.Seq != int64(i+1) || e.Last4 != "4242" || e.Currency != "thb" || e.RRN == "" || e.Time.IsZero() {
				t.Errorf("entry %d: %+v", i, e)
			}
		}
		// Paging.
		if page, _ := s.Ledger(context.Background(), issuersim.LedgerQuery{After: 2, Limit: 1}); len(page) != 1 || page[0].Seq != 3 {
			t.Errorf("page after 2: %+v", page)
		}
	})
}

func TestReversals(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		s := start(t, dsn, issuersim.Faults{})
		c := dial(t, s.Addr())
		const pan = "5555555555554444"

		t.Run("normal and repeated", func(t *testing.T) {
			auth := c.auth(pan, 700, "")
			if r := c.roundTrip(auth).(*iso8583msg.CardResponse); r.ResponseCode != "00" {
				t.Fatalf("auth: %s", r.ResponseCode)
			}
			rev := c.reversal(iso8583msg.MTIAuthorization, auth.Trace, 700)
			first := c.roundTrip(rev).(*iso8583msg.ReversalResponse)
			if first.ResponseCode != "00" || first.Original == nil || first.Original.STAN != auth.STAN {
				t.Fatalf("reversal: %+v", first)
			}
			if got := balance(t, s, pan).Held; got != 0 {
				t.Errorf("held after reversal = %d", got)
			}
			// The repeat, and a second reversal of the same original with
			// another STAN, change nothing.
			rev.MTI = iso8583msg.MTIReversalRepeat
			if again := c.roundTrip(rev).(*iso8583msg.ReversalResponse); again.ResponseCode != "00" || again.RRN != first.RRN {
				t.Errorf("repeat: %+v", again)
			}
			if other := c.roundTrip(c.reversal(iso8583msg.MTIAuthorization, auth.Trace, 700)).(*iso8583msg.ReversalResponse); other.ResponseCode != "00" {
				t.Errorf("second reversal: %s", other.ResponseCode)
			}
			want := []entry{{issuersim.LedgerHold, 700, "chrg_test_4444"}, {issuersim.LedgerRelease, 700, "chrg_test_4444"}}
			if diff := cmp.Diff(want, ledger(t, s, "chrg_test_4444")); diff != "" {
				t.Errorf("ledger (-want +got):\n%s", diff)
			}
			// A reversed authorization cannot be captured.
			if r := c.capture(auth.Trace, 0); r.ResponseCode != "12" {
				t.Errorf("capture after reversal: %s", r.ResponseCode)
			}
		})

		t.Run("orphan before original", func(t *testing.T) {
			auth := c.auth(pan, 300, "")
			if r := c.roundTrip(c.reversal(iso8583msg.MTIAuthorization, auth.Trace, 300)).(*iso8583msg.ReversalResponse); r.ResponseCode != "00" {
				t.Fatalf("orphan reversal: %s", r.ResponseCode)
			}
			held := balance(t, s, pan).Held
			r := c.roundTrip(auth).(*iso8583msg.CardResponse)
			if r.ResponseCode != iso8583msg.LateOriginal || r.ApprovalCode != "" {
				t.Errorf("late original: %s %q", r.ResponseCode, r.ApprovalCode)
			}
			if got := balance(t, s, pan).Held; got != held {
				t.Errorf("late original held %d", got-held)
			}
		})

		t.Run("refund reversal", func(t *testing.T) {
			auth := c.auth(pan, 500, "")
			c.roundTrip(auth)
			c.capture(auth.Trace, 500)
			refund := &iso8583msg.CardRequest{
				MTI: iso8583msg.MTIFinancial, ProcessingCode: iso8583msg.ProcessingRefund, Amount: 200,
				Trace: c.trace(), Currency: "764", Original: iso8583msg.OriginalOf(iso8583msg.MTIAuthorization, auth.Trace),
			}
			if r := c.roundTrip(refund).(*iso8583msg.CardResponse); r.ResponseCode != "00" {
				t.Fatalf("refund: %s", r.ResponseCode)
			}
			posted := balance(t, s, pan).Posted
			rev := c.reversal(iso8583msg.MTIFinancial, refund.Trace, 200)
			rev.ProcessingCode = iso8583msg.ProcessingRefund
			if r := c.roundTrip(rev).(*iso8583msg.ReversalResponse); r.ResponseCode != "00" {
				t.Fatalf("refund reversal: %s", r.ResponseCode)
			}
			if got := balance(t, s, pan).Posted; got != posted+200 {
				t.Errorf("posted after refund reversal = %d, want %d", got, posted+200)
			}
			// The whole capture is refundable again.
			if r := c.refund(auth.Trace, 500); r.ResponseCode != "00" {
				t.Errorf("refund after reversal: %s", r.ResponseCode)
			}
		})
	})
}

func TestRepeats(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		s := start(t, dsn, issuersim.Faults{})
		c := dial(t, s.Addr())
		const pan = "3530111333300000"
		auth := c.auth(pan, 100, "123")
		first := c.roundTrip(auth).(*iso8583msg.CardResponse)
		auth.MTI = iso8583msg.MTIAuthorizationRepeat
		repeat := c.roundTrip(auth).(*iso8583msg.CardResponse)
		if repeat.MTI != "0110" || repeat.ResponseCode != "00" || repeat.ApprovalCode != first.ApprovalCode ||
			repeat.RRN != first.RRN || repeat.Additional.CVV2Result != "M" {
			t.Errorf("repeat = %+v, first = %+v", repeat, first)
		}
		auth.MTI = iso8583msg.MTIAuthorization
		if dup := c.roundTrip(auth).(*iso8583msg.CardResponse); dup.ResponseCode != iso8583msg.DuplicateTransmission {
			t.Errorf("duplicate: %s", dup.ResponseCode)
		}
		if got := balance(t, s, pan).Held; got != 100 {
			t.Errorf("held = %d, want 100 (one hold)", got)
		}
		// A capture repeat gets the capture's answer.
		adv := &iso8583msg.CaptureAdvice{
			MTI: iso8583msg.MTICaptureAdvice, ProcessingCode: "000000", Amount: 100, Trace: c.trace(), Currency: "764",
			Original: iso8583msg.OriginalOf(iso8583msg.MTIAuthorization, auth.Trace),
		}
		c.roundTrip(adv)
		adv.MTI = iso8583msg.MTICaptureAdviceRepeat
		if r := c.roundTrip(adv).(*iso8583msg.CaptureAdviceResponse); r.ResponseCode != "00" {
			t.Errorf("capture repeat: %s", r.ResponseCode)
		}
		if got := balance(t, s, pan).Posted; got != 100 {
			t.Errorf("posted = %d, want 100", got)
		}
	})
}

// TestNoCardNumberStored reads every row of every issuer table and looks
// for the card numbers used.
func TestNoCardNumberStored(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		s := start(t, dsn, issuersim.Faults{})
		c := dial(t, s.Addr())
		pans := []string{"4242424242424242", "4111111111160001", "5555551111110011"}
		for _, pan := range pans {
			auth := c.auth(pan, 100, "123")
			c.roundTrip(auth)
			c.roundTrip(c.reversal(iso8583msg.MTIAuthorization, auth.Trace, 100))
		}
		s.Close()
		db, err := issuersim.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, table := range []string{"issuer_settings", "issuer_accounts", "issuer_balances", "issuer_messages", "issuer_ledger"} {
			for _, row := range dump(t, db, table) {
				for _, pan := range pans {
					if strings.Contains(row, pan) || strings.Contains(row, pan[:12]) {
						t.Errorf("%s holds a card number: %s", table, row)
					}
				}
			}
		}
	})
}

// dump returns every row of a table as text.
func dump(t *testing.T, db *sqlstore.DB, table string) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), "SELECT * FROM "+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, v := range vals {
			b.Write(v)
			b.WriteByte('|')
		}
		out = append(out, b.String())
	}
	return out
}

// TestConcurrentRequests sends requests on one account from several
// connections at once: the credit line holds, and racing copies of a
// reversal release the hold once.
func TestConcurrentRequests(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, dsn string) {
		s := start(t, dsn, issuersim.Faults{})
		n := card.MustParseNumber("4012888888881881")
		if err := s.SetAccount(context.Background(), issuersim.AccountSpec{Card: n, CreditLimit: 1000}); err != nil {
			t.Fatal(err)
		}
		const conns, each = 4, 10
		codes := make(chan string, conns*each)
		var wg sync.WaitGroup
		for range conns {
			c := dial(t, s.Addr())
			reqs := make([]*iso8583msg.CardRequest, each)
			for i := range reqs {
				reqs[i] = c.auth(n.Reveal(), 100, "")
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, r := range reqs {
					c.send(r)
				}
				for range reqs {
					codes <- c.receive().(*iso8583msg.CardResponse).ResponseCode
				}
			}()
		}
		wg.Wait()
		close(codes)
		count := map[string]int{}
		for c := range codes {
			count[c]++
		}
		if diff := cmp.Diff(map[string]int{"00": 10, "51": conns*each - 10}, count); diff != "" {
			t.Errorf("answers (-want +got):\n%s", diff)
		}
		if got := balance(t, s, n.Reveal()).Held; got != 1000 {
			t.Errorf("held = %d, want the credit line", got)
		}

		// One authorization, then its reversal sent as 0400 and 0401 on
		// two connections at once.
		c1, c2 := dial(t, s.Addr()), dial(t, s.Addr())
		if err := s.SetAccount(context.Background(), issuersim.AccountSpec{Card: n, CreditLimit: 2000}); err != nil {
			t.Fatal(err)
		}
		auth := c1.auth(n.Reveal(), 500, "")
		auth.Additional.Reference = "chrg_test_race"
		if r := c1.roundTrip(auth).(*iso8583msg.CardResponse); r.ResponseCode != "00" {
			t.Fatalf("auth: %s", r.ResponseCode)
		}
		rev := c1.reversal(iso8583msg.MTIAuthorization, auth.Trace, 500)
		repeat := *rev
		repeat.MTI = iso8583msg.MTIReversalRepeat
		c1.send(rev)
		c2.send(&repeat)
		for _, c := range []*client{c1, c2} {
			if r := c.receive().(*iso8583msg.ReversalResponse); r.ResponseCode != "00" {
				t.Errorf("racing reversal: %s", r.ResponseCode)
			}
		}
		want := []entry{{issuersim.LedgerHold, 500, "chrg_test_race"}, {issuersim.LedgerRelease, 500, "chrg_test_race"}}
		if diff := cmp.Diff(want, ledger(t, s, "chrg_test_race")); diff != "" {
			t.Errorf("ledger (-want +got):\n%s", diff)
		}
	})
}
