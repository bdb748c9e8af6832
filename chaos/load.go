package chaos

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// The iterations of the load, as in `kessai bench mixed`, in twentieths:
// 10 captured charges of a new token, 3 authorizations then captured, 2
// captured charges then half refunded, 3 charges of a customer's saved
// card, 2 reads of a recent charge.
var mix = []string{
	"charge", "capture", "customer", "charge", "refund", "charge", "read", "customer", "charge", "capture",
	"charge", "customer", "charge", "refund", "charge", "read", "capture", "charge", "charge", "charge",
}

// load is the mixed load of the suites: every answer goes to its book.
type load struct {
	c         *client
	book      *book
	run       string   // prefix of the charge requests' keys, unique per run
	customers []string // customers with a saved card
	n         atomic.Int64
	pause     time.Duration // after a request that got no answer
}

// setup creates the customers with saved cards. Fails when the gateway
// does not create them.
func (l *load) setup(ctx context.Context, customers int) error {
	for i := range customers {
		tok := l.c.token(ctx, i)
		if !tok.acked("token") {
			return fmt.Errorf("chaos: token for customer %d: %s", i+1, tok)
		}
		a := l.c.do(ctx, "POST", "/customers", l.c.skey, url.Values{
			"email": {fmt.Sprintf("chaos-%d@kessai.test", i+1)}, "card": {tok.Obj.ID},
		})
		if !a.acked("customer") || a.Obj.DefaultCard == "" {
			return fmt.Errorf("chaos: customer %d: %s", i+1, a)
		}
		l.customers = append(l.customers, a.Obj.ID)
	}
	return nil
}

// start runs workers until ctx ends, and returns a func that waits for
// them.
func (l *load) start(ctx context.Context, workers int) (wait func()) {
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				l.iteration(ctx)
			}
		})
	}
	return wg.Wait
}

// iteration runs the next iteration of the mix.
func (l *load) iteration(ctx context.Context) {
	n := l.n.Add(1)
	switch mix[n%int64(len(mix))] {
	case "charge":
		l.charge(ctx, n, true, false, true)
	case "customer":
		l.charge(ctx, n, true, true, true)
	case "capture":
		if ch := l.charge(ctx, n, false, false, false); ch != nil && ch.Status == "pending" && ch.Authorized {
			l.capture(ctx, ch)
		}
	case "refund":
		if ch := l.charge(ctx, n, true, false, false); ch != nil && ch.Status == "successful" {
			l.refund(ctx, ch)
		}
	case "read":
		l.read(ctx, int(n))
	}
}

// note records an answer in the book, and returns false, recording
// nothing, when the request ended because the run did.
func (l *load) note(ctx context.Context, what, kind string, a *answer) bool {
	if ctx.Err() != nil && a.Err != nil {
		return false
	}
	l.book.answered(what, kind, a)
	return true
}

// idle waits a little after an unanswered request (the gateway is down),
// so that the workers do not spin.
func (l *load) idle(ctx context.Context, a *answer) {
	if a.Err == nil || l.pause <= 0 {
		return
	}
	select {
	case <-ctx.Done():
	case <-time.After(l.pause):
	}
}

// charge creates a charge, of a new token or of a customer's card,
// captured or not, and returns it when it was acknowledged. Every charge
// request carries a key of its own, as description and Idempotency-Key.
// plain says that no later request of the load touches the charge, so
// that reads may check it.
func (l *load) charge(ctx context.Context, n int64, capture, customer, plain bool) *object {
	key := fmt.Sprintf("%s-%d", l.run, n)
	amount := 1000 + n%997
	form := url.Values{"amount": {itoa(amount)}, "currency": {"jpy"}, "description": {key}}
	if !capture {
		form.Set("capture", "false")
	}
	if customer && len(l.customers) > 0 {
		form.Set("customer", l.customers[int(n)%len(l.customers)])
	} else {
		tok := l.c.token(ctx, int(n))
		if !l.note(ctx, "POST /tokens", "token", tok) {
			return nil
		}
		if !tok.acked("token") {
			l.idle(ctx, tok)
			return nil
		}
		form.Set("card", tok.Obj.ID)
	}
	a := l.c.do(ctx, "POST", "/charges", l.c.skey, form, "Idempotency-Key", key)
	if !l.note(ctx, "POST /charges "+key, "charge", a) {
		return nil
	}
	if !a.acked("charge") {
		l.idle(ctx, a)
		return nil
	}
	l.book.charge(key, amount, &a.Obj, plain)
	return &a.Obj
}

// capture captures an authorized charge.
func (l *load) capture(ctx context.Context, ch *object) {
	l.book.sending(ch.ID, state{"successful", 0})
	a := l.c.do(ctx, "POST", "/charges/"+ch.ID+"/capture", l.c.skey, url.Values{})
	if !l.note(ctx, "POST /charges/"+ch.ID+"/capture", "charge", a) {
		return
	}
	if a.acked("charge") {
		if a.Obj.ID != ch.ID {
			l.book.violation("capture of %s answered with charge %s", ch.ID, a.Obj.ID)
			return
		}
		l.book.settled(ch.ID, state{a.Obj.Status, a.Obj.RefundedAmount})
	}
	l.idle(ctx, a)
}

// refund refunds half of a successful charge.
func (l *load) refund(ctx context.Context, ch *object) {
	half := ch.Amount / 2
	l.book.sending(ch.ID, state{"successful", half})
	a := l.c.do(ctx, "POST", "/charges/"+ch.ID+"/refunds", l.c.skey, url.Values{"amount": {itoa(half)}})
	if !l.note(ctx, "POST /charges/"+ch.ID+"/refunds", "refund", a) {
		return
	}
	if a.acked("refund") {
		if a.Obj.Amount != half {
			l.book.violation("refund of %d of %s answered with a refund of %d", half, ch.ID, a.Obj.Amount)
		}
		l.book.settled(ch.ID, state{"successful", half})
	}
	l.idle(ctx, a)
}

// read reads a recent charge and checks that it shows what the client
// was told.
func (l *load) read(ctx context.Context, n int) {
	id, want := l.book.pick(n)
	if id == "" {
		return
	}
	a := l.c.do(ctx, "GET", "/charges/"+id, l.c.skey, nil)
	if !l.note(ctx, "GET /charges/"+id, "charge", a) {
		return
	}
	if a.acked("charge") {
		if got := (state{a.Obj.Status, a.Obj.RefundedAmount}); a.Obj.ID != id || got != want {
			l.book.violation("GET /charges/%s: %s %s, acknowledged as %s", id, a.Obj.ID, got, want)
		}
	}
	l.idle(ctx, a)
}
