package bench

import (
	"context"
	"io"
	"net"
	"net/http"
	"time"
)

// ceilingBody is the ceiling server's answer: a token object of the size of
// a real one, so that the client does the same work as in "tokens".
const ceilingBody = `{"object":"token","id":"tokn_test_5ceiling0000000000","livemode":false,` +
	`"location":"/tokens/tokn_test_5ceiling0000000000","used":false,"charge_status":"unknown",` +
	`"card":{"object":"card","id":"card_test_5ceiling0000000000","livemode":false,"location":null,` +
	`"deleted":false,"street1":null,"street2":null,"city":"Bangkok","state":null,"phone_number":null,` +
	`"postal_code":"10320","country":"us","financing":"credit","bank":"","brand":"Visa",` +
	`"fingerprint":"2uSsN7ePpS6wfHLCKIoZ3WCdOwpCqmSzIRRJhKaf2BU=","first_digits":null,"last_digits":"4242",` +
	`"name":"Somchai Prasert","expiration_month":12,"expiration_year":2030,"security_code_check":true,` +
	`"tokenization_method":null,"created_at":"2026-01-01T00:00:00Z"},"created_at":"2026-01-01T00:00:00Z"}`

// Ceiling returns the "ceiling" scenario: the requests of "tokens" against a
// trivial HTTP server in this process that reads each request and answers
// with a fixed token object. Its throughput is about the most that this
// client, machine and HTTP stack allow, so other results can be stated as a
// share of it. It ignores the configured base URL and keys.
func Ceiling() Scenario { return &ceiling{} }

type ceiling struct{ tokens }

func (*ceiling) Name() string { return "ceiling" }

// Prepare starts the trivial server on 127.0.0.1 and returns it as the
// target; the returned func stops it. It fails when it cannot listen.
func (*ceiling) Prepare(ctx context.Context, _ *http.Client, _ Target) (Target, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Target{}, nil, err
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			h := w.Header()
			h["Content-Type"] = []string{"application/json; charset=utf-8"}
			io.WriteString(w, ceilingBody)
		}),
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln) // returns ErrServerClosed when stopped
	}()
	stop := func() {
		srv.Close()
		<-done
	}
	t := Target{BaseURL: "http://" + ln.Addr().String(), PublicKey: "pkey_test_5ceiling0000000000"}
	return t, stop, nil
}
