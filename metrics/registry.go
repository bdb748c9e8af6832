package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry holds Kessai's metrics. Its Observe methods are safe for
// concurrent use and cheap enough for the request path.
type Registry struct {
	reg *prometheus.Registry

	requests       *prometheus.HistogramVec
	charges        *prometheus.CounterVec
	networkTrips   *prometheus.HistogramVec
	networkFlight  *prometheus.GaugeVec
	commits        prometheus.Histogram
	commitOps      prometheus.Histogram
	webhookLatency *prometheus.HistogramVec
}

// latencyBuckets spans 1 ms to 10 s, the range of an API call or a
// network round trip.
var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// New returns a Registry with every metric registered, plus the Go
// runtime and process collectors.
func New() *Registry {
	r := &Registry{reg: prometheus.NewRegistry()}
	r.requests = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "kessai_http_request_duration_seconds",
		Help:    "API requests by method, route pattern and status, with their latency.",
		Buckets: latencyBuckets,
	}, []string{"method", "route", "status"})
	r.charges = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kessai_charges_total",
		Help: "Charges created, by resulting status and failure code (\"\" when none).",
	}, []string{"status", "failure_code"})
	r.networkTrips = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "kessai_issuer_round_trip_seconds",
		Help:    "ISO 8583 round trips to the issuer host by request MTI and result (answered, lost, not_sent).",
		Buckets: latencyBuckets,
	}, []string{"mti", "result"})
	r.networkFlight = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "kessai_issuer_requests_in_flight",
		Help: "ISO 8583 requests sent by this process and not yet answered or given up, by MTI (0100 and 0200 are authorizations).",
	}, []string{"mti"})
	r.commits = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "kessai_db_commit_duration_seconds",
		Help:    "Duration of the group-commit writer's COMMITs (the durable write).",
		Buckets: latencyBuckets,
	})
	r.commitOps = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "kessai_db_commit_batch_size",
		Help:    "Write transactions committed together by one COMMIT.",
		Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128},
	})
	r.webhookLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "kessai_webhook_delivery_latency_seconds",
		Help:    "Time from a webhook delivery's creation to an attempt's outcome, by the state it left (delivered, pending for a retry, failed).",
		Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 3600},
	}, []string{"state"})
	r.reg.MustRegister(r.requests, r.charges, r.networkTrips, r.networkFlight, r.commits, r.commitOps, r.webhookLatency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return r
}

// Handler returns the HTTP handler that serves the metrics in the
// Prometheus text (or OpenMetrics) format. It does no access control:
// mount it behind one.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// Register adds a collector, such as one made by [NewGaugeCollector].
// Fails when a metric of the same name is already registered.
func (r *Registry) Register(c prometheus.Collector) error { return r.reg.Register(c) }

// ObserveRequest records an API request. route must be a registered
// pattern (or "unmatched"), never a raw path.
func (r *Registry) ObserveRequest(method, route string, status int, d time.Duration) {
	r.requests.WithLabelValues(knownMethod(method), route, strconv.Itoa(status)).Observe(d.Seconds())
}

// ObserveCharge records a created charge's outcome.
func (r *Registry) ObserveCharge(status, failureCode string) {
	r.charges.WithLabelValues(status, failureCode).Inc()
}

// ObserveNetworkRequest records that a request with the given MTI is being
// sent to the issuer host, and returns the function to call with its
// outcome: err nil when answered, and whether it was sent at all.
func (r *Registry) ObserveNetworkRequest(mti string) (done func(result string)) {
	mti = knownMTI(mti)
	g := r.networkFlight.WithLabelValues(mti)
	g.Inc()
	start := time.Now()
	return func(result string) {
		g.Dec()
		r.networkTrips.WithLabelValues(mti, result).Observe(time.Since(start).Seconds())
	}
}

// ObserveCommit records one COMMIT of the group-commit writer: how long it
// took and how many write transactions it carried.
func (r *Registry) ObserveCommit(d time.Duration, ops int) {
	r.commits.Observe(d.Seconds())
	r.commitOps.Observe(float64(ops))
}

// ObserveWebhookAttempt records a webhook attempt's outcome: the state the
// delivery is left in and the time since the delivery was created.
func (r *Registry) ObserveWebhookAttempt(state string, sinceCreated time.Duration) {
	r.webhookLatency.WithLabelValues(state).Observe(sinceCreated.Seconds())
}

// knownMethod folds unusual methods into "other", so that a client cannot
// create label values.
func knownMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

// knownMTI keeps four-digit MTIs and folds anything else into "other".
func knownMTI(m string) string {
	if len(m) != 4 {
		return "other"
	}
	for i := 0; i < 4; i++ {
		if m[i] < '0' || m[i] > '9' {
			return "other"
		}
	}
	return m
}
