package app

import (
	"context"
	"fmt"

	"github.com/kessai/kessai/natsfanout"
	"github.com/kessai/kessai/webhook"
)

// WebhooksConfig configures webhook delivery.
type WebhooksConfig struct {
	// NATSURL, when set ("nats://host:4222"), shares deliveries between
	// gateway nodes over NATS JetStream (package natsfanout); without it
	// the nodes share them through the database alone.
	NATSURL string `json:"nats_url"`
	// NATSStream names the JetStream stream (default KESSAI_DELIVERIES);
	// deployments that share a NATS server need one each.
	NATSStream string `json:"nats_stream"`
}

// webhookBus returns the delivery bus cfg asks for, nil for none; the
// connection is closed with the app. Fails if NATS cannot be reached.
func (a *App) webhookBus(ctx context.Context, cfg *Config) (webhook.Bus, error) {
	if cfg.Webhooks.NATSURL == "" {
		return nil, nil
	}
	bus, err := natsfanout.Open(ctx, cfg.Webhooks.NATSURL, cfg.Webhooks.NATSStream)
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	a.closers = append(a.closers, bus.Close)
	return bus, nil
}
