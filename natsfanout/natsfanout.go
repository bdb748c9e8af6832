// Package natsfanout shares webhook deliveries between gateway nodes over
// NATS JetStream: a node that fans events out publishes the ids of the
// deliveries it stored to a work-queue stream, and every node's consumer
// takes its share of them. The database stays the source of truth: a
// delivery is claimed there by the node that takes its message, so a
// message redelivered after a node died is safe, and deliveries whose
// message was lost are claimed from the database after a while anyway.
package natsfanout

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// DefaultStream is the stream's default name; its subject is the name in
// lower case with "." for "_" ("kessai.deliveries"), and its consumer is
// "webhooks".
const DefaultStream = "KESSAI_DELIVERIES"

// ConsumerName is the durable consumer every node shares.
const ConsumerName = "webhooks"

// Bus is a connection to NATS with the deliveries stream and its shared
// work-queue consumer.
type Bus struct {
	nc      *nats.Conn
	js      jetstream.JetStream
	cons    jetstream.Consumer
	stream  string
	subject string
}

// Open connects to the NATS server at url and creates the stream (named
// stream, [DefaultStream] when ""; deployments that share a NATS server
// need one each) and its consumer when they do not exist. Fails if the
// server cannot be reached or has no JetStream.
func Open(ctx context.Context, url, stream string) (*Bus, error) {
	if stream == "" {
		stream = DefaultStream
	}
	subject := strings.ToLower(strings.ReplaceAll(stream, "_", "."))
	nc, err := nats.Connect(url, nats.Name("kessai webhooks"), nats.MaxReconnects(-1))
	if err != nil {
		return nil, fmt.Errorf("nats: %w", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("nats: %w", err)
	}
	st, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:      stream,
		Subjects:  []string{subject},
		Retention: jetstream.WorkQueuePolicy,
		Storage:   jetstream.FileStorage,
		MaxAge:    24 * time.Hour,
	})
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("nats stream: %w", err)
	}
	cons, err := st.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:   ConsumerName,
		AckPolicy: jetstream.AckExplicitPolicy,
		AckWait:   30 * time.Second,
	})
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("nats consumer: %w", err)
	}
	return &Bus{nc: nc, js: js, cons: cons, stream: stream, subject: subject}, nil
}

// Publish announces stored deliveries by id. Returns the first failure;
// a delivery whose announcement failed is claimed from the database later.
func (b *Bus) Publish(ctx context.Context, deliveryIDs []string) error {
	futures := make([]jetstream.PubAckFuture, 0, len(deliveryIDs))
	for _, id := range deliveryIDs {
		f, err := b.js.PublishAsync(b.subject, []byte(id))
		if err != nil {
			return fmt.Errorf("nats publish: %w", err)
		}
		futures = append(futures, f)
	}
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return fmt.Errorf("nats publish: %w", err)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Consume calls take with the id of each delivery this node receives until
// ctx ends. A message is acknowledged once take returns nil (the delivery
// is claimed by this node, or needs no one); otherwise it comes again,
// here or to another node.
func (b *Bus) Consume(ctx context.Context, take func(ctx context.Context, deliveryID string) error) error {
	cc, err := b.cons.Consume(func(m jetstream.Msg) {
		if err := take(ctx, string(m.Data())); err != nil {
			m.NakWithDelay(time.Second)
			return
		}
		m.Ack()
	})
	if err != nil {
		return fmt.Errorf("nats consume: %w", err)
	}
	<-ctx.Done()
	cc.Stop()
	return nil
}

// DeleteStream deletes the stream and what it holds (tests).
func (b *Bus) DeleteStream(ctx context.Context) error {
	return b.js.DeleteStream(ctx, b.stream)
}

// Close closes the connection.
func (b *Bus) Close() error {
	if b == nil || b.nc == nil {
		return errors.New("nats: not open")
	}
	b.nc.Close()
	return nil
}
