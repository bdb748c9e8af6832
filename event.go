package kessai

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Event keys: what changed.
const (
	EventChargeCreate       = "charge.create"
	EventChargeUpdate       = "charge.update"
	EventChargeCapture      = "charge.capture"
	EventChargeReverse      = "charge.reverse"
	EventChargeExpire       = "charge.expire"
	EventChargeComplete     = "charge.complete"
	EventRefundCreate       = "refund.create"
	EventCustomerCreate     = "customer.create"
	EventCustomerUpdate     = "customer.update"
	EventCustomerDestroy    = "customer.destroy"
	EventCustomerUpdateCard = "customer.update.card"
	EventCardUpdate         = "card.update"
	EventCardDestroy        = "card.destroy"
)

// Event is the Omise Event object: one state change, with a snapshot of the
// changed object as it was right after the change. Data is never null (the
// omise-go decoder would panic): an Event without data encodes {}.
type Event struct {
	Object            string            `json:"object"` // "event"
	ID                string            `json:"id"`
	Livemode          bool              `json:"livemode"`
	Location          string            `json:"location"`
	Key               string            `json:"key"`
	CreatedAt         Time              `json:"created_at"`
	Data              json.RawMessage   `json:"data"`
	WebhookDeliveries []WebhookDelivery `json:"webhook_deliveries"`

	// Seq orders all events: it grows with every stored event.
	Seq int64 `json:"-"`
	// AccountID is the account whose object changed.
	AccountID string `json:"-"`
	// ObjectID is the id of the object in Data.
	ObjectID string `json:"-"`
}

// WebhookDelivery is one attempt to deliver an event to a webhook endpoint.
// Status is the endpoint's HTTP status, 0 when it did not answer (Error
// says why).
type WebhookDelivery struct {
	Object string `json:"object"` // "webhook_delivery"
	ID     string `json:"id"`
	URI    string `json:"uri"`
	Status int    `json:"status"`
	Key    string `json:"key"`
	// Error is why an attempt got no HTTP answer ("timeout", "blocked
	// address", …); empty when it got one.
	Error string `json:"error,omitempty"`
	// LatencyMS is how long the attempt took, in milliseconds.
	LatencyMS int64 `json:"latency_ms"`
	// Response is the start of the answer's body (at most 1 KiB).
	Response  string `json:"response"`
	CreatedAt Time   `json:"created_at"`
}

// MarshalJSON encodes the event with {} for missing data and [] for missing
// deliveries.
func (e Event) MarshalJSON() ([]byte, error) {
	type event Event // without methods
	v := event(e)
	if len(v.Data) == 0 || string(v.Data) == "null" {
		v.Data = json.RawMessage("{}")
	}
	if v.WebhookDeliveries == nil {
		v.WebhookDeliveries = []WebhookDelivery{}
	}
	return json.Marshal(v)
}

// NewEvent returns an event of key for the object objectID of an account and
// mode, created at at, whose data is obj encoded as JSON. Fails only if obj
// cannot be encoded.
func NewEvent(key, accountID string, livemode bool, objectID string, obj any, at time.Time) (*Event, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("event %s: %w", key, err)
	}
	id := NewID(PrefixEvent, livemode)
	return &Event{
		Object:            "event",
		ID:                id,
		Livemode:          livemode,
		Location:          "/events/" + id,
		Key:               key,
		CreatedAt:         Time{at},
		Data:              data,
		WebhookDeliveries: []WebhookDelivery{},
		AccountID:         accountID,
		ObjectID:          objectID,
	}, nil
}

// EventService reads the account's events.
type EventService interface {
	// FindEvent returns an event. Returns ENotFound.
	FindEvent(ctx context.Context, auth *Auth, id string) (*Event, error)
	// ListEvents returns a page of the events.
	ListEvents(ctx context.Context, auth *Auth, p ListParams) (*List[*Event], error)
	// ListObjectEvents returns a page of the events of one object (such as
	// GET /charges/:id/events). Returns ENotFound for an unknown object.
	ListObjectEvents(ctx context.Context, auth *Auth, objectID string, p ListParams) (*List[*Event], error)
}
