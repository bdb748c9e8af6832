package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kessai/kessai/httpapi"
	"github.com/kessai/kessai/metrics"
)

// startMetrics creates the metrics registry and connects the database's
// commit hook; the other parts take theirs from a.Metrics as they start.
func (a *App) startMetrics() {
	a.Metrics = metrics.New()
	a.DB.ObserveCommits(a.Metrics.ObserveCommit)
}

// mountMetrics registers the scrape-time gauges and serves /metrics on the
// API (loopback clients, or the configured bearer token).
func (a *App) mountMetrics() error {
	src := func(ctx context.Context) (metrics.Gauges, error) {
		b, err := a.DB.Backlog(ctx, time.Now())
		return metrics.Gauges{
			ReversalsQueued: b.ReversalsQueued, OldestReversal: b.OldestReversal,
			WebhooksPending: b.WebhooksPending, OldestWebhook: b.OldestWebhook,
			NetworkPending: b.NetworkPending,
		}, err
	}
	if err := a.Metrics.Register(metrics.NewGaugeCollector(src, a.Link.Online)); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	a.API.AddMetrics(a.Metrics.Handler(), a.Config.MetricsToken)
	return nil
}

// readyChecks are the conditions of GET /readyz: the database answers, the
// vault's data keys seal and open a secret, and the link to the card
// network is signed on.
func (a *App) readyChecks() []httpapi.ReadyCheck {
	return []httpapi.ReadyCheck{
		{Name: "database", Check: a.DB.Ping},
		{Name: "vault", Check: func(ctx context.Context) error {
			probe := []byte("kessai readiness probe")
			ct, err := a.Vault.SealSecret(ctx, probe, []byte("readyz"))
			if err != nil {
				return err
			}
			pt, err := a.Vault.OpenSecret(ctx, ct, []byte("readyz"))
			if err != nil {
				return err
			}
			if !bytes.Equal(pt, probe) {
				return errors.New("vault: probe did not round-trip")
			}
			return nil
		}},
		{Name: "issuer_link", Check: func(context.Context) error {
			if !a.Link.Online() {
				return errors.New("iso8583link: not signed on to the issuer host")
			}
			return nil
		}},
	}
}
