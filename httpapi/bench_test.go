package httpapi_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/card"
	"github.com/kessai/kessai/httpapi"
)

// benchEnv is a server whose TokenService returns a fixed token at once, so
// that a benchmark measures the server's own cost: request id, headers,
// routing, authentication (cached), parameter decoding, the handler's card
// mapping, JSON encoding and the access log (JSON, discarded).
func benchEnv(b *testing.B) *env {
	e := newEnv(b, func(c *httpapi.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
		c.Now = time.Now
	})
	tok := &kessai.Token{Object: "token", ID: "tokn_test_5xyz0000000000000000", Location: "/tokens/tokn_test_5xyz0000000000000000",
		ChargeStatus: "unknown", Card: &kessai.Card{Object: "card", ID: "card_test_5xyz0000000000000000", Brand: "Visa",
			LastDigits: "4242", Name: "Somchai Prasert", ExpirationMonth: 12, ExpirationYear: 2030, Country: "us"}}
	e.tokens.create = func(context.Context, *kessai.Auth, *card.RawInput) (*kessai.Token, error) { return tok, nil }
	return e
}

const tokenJSON = `{"card":{"name":"Somchai Prasert","number":"4242424242424242","expiration_month":12,"expiration_year":2030,"security_code":"123","city":"Bangkok","postal_code":"10320"}}`

func benchServe(b *testing.B, h http.Handler, method, path, ct, body, key string, header map[string]string) {
	auth := basic(key)
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Authorization", auth)
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		for k, v := range header {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkCreateTokenForm is POST /tokens with a form body, through the
// whole middleware stack.
func BenchmarkCreateTokenForm(b *testing.B) {
	e := benchEnv(b)
	benchServe(b, e.srv, "POST", "/tokens", ctForm, tokenForm+"&card[city]=Bangkok&card[postal_code]=10320", pkeyA, nil)
}

// BenchmarkCreateTokenJSON is POST /tokens as omise-go sends it.
func BenchmarkCreateTokenJSON(b *testing.B) {
	e := benchEnv(b)
	benchServe(b, e.srv, "POST", "/tokens", ctJSON, tokenJSON, pkeyA, map[string]string{"Omise-Version": "2019-05-29"})
}

// BenchmarkCreateTokenIdempotent adds an Idempotency-Key (in-memory store;
// a new key each time).
func BenchmarkCreateTokenIdempotent(b *testing.B) {
	e := benchEnv(b)
	auth := basic(pkeyA)
	var n atomic.Int64
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest("POST", "/tokens", strings.NewReader(tokenJSON))
		r.Header.Set("Authorization", auth)
		r.Header.Set("Content-Type", ctJSON)
		r.Header.Set("Idempotency-Key", "k"+strings.Repeat("x", int(n.Add(1)%7))+time.Now().String())
		w := httptest.NewRecorder()
		e.srv.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkListGET is a GET list request with query parameters.
func BenchmarkListGET(b *testing.B) {
	e := benchEnv(b)
	e.things()
	benchServe(b, e.srv, "GET", "/things?limit=10&offset=20&order=reverse_chronological&from=2019-05-29T00:00:00Z", "", "", skeyA, nil)
}

// BenchmarkNotFound is the cheapest path: no route.
func BenchmarkNotFound(b *testing.B) {
	e := benchEnv(b)
	auth := basic(skeyA)
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest("GET", "/nowhere", nil)
		r.Header.Set("Authorization", auth)
		e.srv.ServeHTTP(httptest.NewRecorder(), r)
	}
}

func BenchmarkDecodeParamsForm(b *testing.B) {
	body := []byte(tokenForm + "&card[city]=Bangkok&card[postal_code]=10320&metadata[order]=123")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := httpapi.DecodeParams(ctForm, "", body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeParamsJSON(b *testing.B) {
	body := []byte(tokenJSON)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := httpapi.DecodeParams(ctJSON, "", body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoopbackTokens serves POST /tokens over real TCP on loopback,
// with keep-alive clients in the same process (so client and server share
// the machine's cores), and reports requests per second.
func BenchmarkLoopbackTokens(b *testing.B) {
	e := benchEnv(b)
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	auth := basic(pkeyA)
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r, _ := http.NewRequest("POST", ts.URL+"/tokens", strings.NewReader(tokenJSON))
			r.Header.Set("Authorization", auth)
			r.Header.Set("Content-Type", ctJSON)
			res, err := client.Do(r)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				b.Errorf("status %d", res.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}
