// Package metrics is Kessai's Prometheus instrumentation: the one package
// that imports github.com/prometheus/client_golang.
//
// A [Registry] holds the platform's metrics and serves them in the
// Prometheus text format ([Registry.Handler]). Domain and adapter packages
// never import this package: they expose small hooks (plain functions in
// their Config structs), and cmd/kessai connects those hooks to the
// Registry's Observe methods. Gauges that describe durable state (the
// reversal queue, the webhook backlog, the requests in flight at the card
// network) are read from the database when Prometheus scrapes, through a
// [GaugeSource], so that every gateway node reports the same truth and
// nothing has to be kept in step by hand.
//
// No label ever carries card data, an API key, an account id or any other
// value a client chooses: routes are the registered patterns, failure codes
// are the platform's fixed codes, and unknown values are folded to "other".
package metrics
