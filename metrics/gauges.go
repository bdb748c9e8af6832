package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Gauges is the durable state read at each scrape.
type Gauges struct {
	// ReversalsQueued is the number of reversals waiting to be sent to the
	// issuer host, and OldestReversal the age of the oldest (0 when none).
	ReversalsQueued int64
	OldestReversal  time.Duration
	// WebhooksPending is the number of webhook deliveries not yet
	// delivered or failed, and OldestWebhook the age of the oldest.
	WebhooksPending int64
	OldestWebhook   time.Duration
	// NetworkPending is the number of requests to the issuer host recorded
	// as sent and not yet answered or given up, on every node, by MTI.
	NetworkPending map[string]int64
}

// GaugeSource reads [Gauges], typically from the database. It must honour
// ctx: a scrape waits for it at most a few seconds.
type GaugeSource func(ctx context.Context) (Gauges, error)

// gaugeCollector reads its gauges at scrape time.
type gaugeCollector struct {
	src     GaugeSource
	online  func() bool
	timeout time.Duration

	revQueued, revAge, whPending, whAge, netPending, linkUp, up *prometheus.Desc
}

// NewGaugeCollector returns a collector that calls src (when not nil) and
// online (when not nil: whether the link to the issuer host is signed on)
// at each scrape. When src fails or takes longer than 5 s, the scrape
// reports kessai_state_up 0 and leaves those gauges out.
func NewGaugeCollector(src GaugeSource, online func() bool) prometheus.Collector {
	return &gaugeCollector{
		src: src, online: online, timeout: 5 * time.Second,
		revQueued:  prometheus.NewDesc("kessai_reversal_queue_depth", "Reversals queued for the issuer host (store-and-forward).", nil, nil),
		revAge:     prometheus.NewDesc("kessai_reversal_queue_oldest_age_seconds", "Age of the oldest queued reversal; 0 when the queue is empty.", nil, nil),
		whPending:  prometheus.NewDesc("kessai_webhook_backlog", "Webhook deliveries not yet delivered or failed.", nil, nil),
		whAge:      prometheus.NewDesc("kessai_webhook_backlog_oldest_age_seconds", "Age of the oldest webhook delivery still pending; 0 when none.", nil, nil),
		netPending: prometheus.NewDesc("kessai_issuer_requests_pending", "Requests to the issuer host recorded as sent and not yet answered or given up, on all nodes, by MTI.", []string{"mti"}, nil),
		linkUp:     prometheus.NewDesc("kessai_issuer_link_up", "1 when this process's link to the issuer host is signed on, else 0.", nil, nil),
		up:         prometheus.NewDesc("kessai_state_up", "1 when the durable-state gauges could be read at this scrape, else 0.", nil, nil),
	}
}

func (c *gaugeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.revQueued, c.revAge, c.whPending, c.whAge, c.netPending, c.linkUp, c.up} {
		ch <- d
	}
}

func (c *gaugeCollector) Collect(ch chan<- prometheus.Metric) {
	if c.online != nil {
		v := 0.0
		if c.online() {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(c.linkUp, prometheus.GaugeValue, v)
	}
	if c.src == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	g, err := c.src(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(c.revQueued, prometheus.GaugeValue, float64(g.ReversalsQueued))
	ch <- prometheus.MustNewConstMetric(c.revAge, prometheus.GaugeValue, g.OldestReversal.Seconds())
	ch <- prometheus.MustNewConstMetric(c.whPending, prometheus.GaugeValue, float64(g.WebhooksPending))
	ch <- prometheus.MustNewConstMetric(c.whAge, prometheus.GaugeValue, g.OldestWebhook.Seconds())
	for mti, n := range g.NetworkPending {
		ch <- prometheus.MustNewConstMetric(c.netPending, prometheus.GaugeValue, float64(n), knownMTI(mti))
	}
}
