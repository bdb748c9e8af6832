// Package httpapi is Kessai's merchant-facing HTTP API, wire-compatible with
// the Omise API version 2019-05-29, and the conventions every endpoint
// follows.
//
// A [Server] is an [http.Handler] built by [New] from its dependencies. Each
// endpoint is a [HandlerFunc] that returns an error, registered with
// [Server.Handle] (or [Server.Add] for CORS or unauthenticated routes). The
// server gives every endpoint the same treatment:
//
//   - a request id (Request-Id / X-Request-Id echoed or generated) on the
//     response and on every log line, and one access log line per request
//     (method, route pattern, status, duration, account; never a body, a
//     query or a credential);
//   - security headers (Content-Security-Policy, X-Content-Type-Options,
//     Cache-Control, and HSTS over TLS), CORS on the routes that ask for it;
//   - paths cleaned, so that trailing slashes match; an unknown path is a 404
//     and a known path with another method a 405, both as error objects;
//   - HTTP Basic authentication with the API key as user name (the colon is
//     optional), checked against the key kinds the route accepts; results of
//     [kessai.AccountService.Authenticate] are cached for a short TTL;
//   - the Omise-Version header (missing means 2019-05-29, the only version
//     served);
//   - parameters decoded once, from the query string and the body (form
//     with bracket nesting, or JSON), into [Params] with typed getters;
//   - Idempotency-Key on POST and PATCH, through a [kessai.IdempotencyStore]:
//     the first response (unless a 5xx) is kept for 24 h and replayed for the
//     same request; the same key with other parameters is a 400; a duplicate
//     that arrives while the first still runs waits for it (up to 2 s), then
//     gets a 409 conflict. Without the header there is no store work at all;
//   - errors rendered as the Omise error object, with the HTTP status chosen
//     by one function from the [kessai.Error] code; anything else becomes a
//     500 whose detail is logged, never shown; a panic becomes a 500 too;
//   - HTTP 200 for every success;
//   - a per-IP limit on failed authentications ([AuthFailureLimit]), and
//     Config.Observe called with every request's route pattern, status and
//     duration (for metrics).
//
// Beside the API, GET /healthz (alive), GET /readyz ([ReadyCheck]s, 503
// naming what is not ready) and, with [Server.AddMetrics], GET /metrics for
// loopback clients or a bearer token.
//
// A later endpoint is a few lines:
//
//	s.Handle(http.MethodPost, "/charges", func(w http.ResponseWriter, r *http.Request) error {
//		p := httpapi.ParamsOf(r)
//		amount, currency := p.Int64("amount"), p.String("currency")
//		if err := p.Err(); err != nil {
//			return err
//		}
//		ch, err := charges.Create(r.Context(), httpapi.AuthOf(r), amount, currency)
//		if err != nil {
//			return err
//		}
//		return httpapi.WriteJSON(w, ch)
//	})
//
// Card data never reaches a log line or an error message: parameter errors
// name the parameter, never its value.
package httpapi
