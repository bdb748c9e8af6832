package payment

import (
	"context"

	"github.com/kessai/kessai"
)

// FindEvent returns an event; see [kessai.EventService.FindEvent].
func (s *Service) FindEvent(ctx context.Context, auth *kessai.Auth, id string) (*kessai.Event, error) {
	return s.db.FindEvent(ctx, auth.AccountID, auth.Livemode, id)
}

// ListEvents returns a page of events; see [kessai.EventService.ListEvents].
func (s *Service) ListEvents(ctx context.Context, auth *kessai.Auth, p kessai.ListParams) (*kessai.List[*kessai.Event], error) {
	return s.db.ListEvents(ctx, auth.AccountID, auth.Livemode, p)
}

// ListObjectEvents returns a page of the events of a charge or a customer;
// see [kessai.EventService.ListObjectEvents]. Returns ENotFound when the
// object does not exist.
func (s *Service) ListObjectEvents(ctx context.Context, auth *kessai.Auth, objectID string, p kessai.ListParams) (*kessai.List[*kessai.Event], error) {
	var location string
	switch {
	case kessai.HasPrefix(objectID, kessai.PrefixCharge):
		if _, err := s.db.FindCharge(ctx, auth.AccountID, auth.Livemode, objectID); err != nil {
			return nil, err
		}
		location = kessai.ChargeLocation(objectID) + "/events"
	case kessai.HasPrefix(objectID, kessai.PrefixCustomer):
		if _, err := s.db.FindCustomer(ctx, auth.AccountID, auth.Livemode, objectID); err != nil {
			return nil, err
		}
		location = kessai.CustomerLocation(objectID) + "/events"
	default:
		return nil, kessai.Errorf(kessai.ENotFound, "object was not found")
	}
	return s.db.ListObjectEvents(ctx, auth.AccountID, auth.Livemode, objectID, location, p)
}
