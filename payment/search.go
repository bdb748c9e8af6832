package payment

import (
	"context"

	"github.com/kessai/kessai"
)

// Search searches charges, customers or refunds; see
// [kessai.SearchService.Search]. The other scopes of the Omise API (dispute,
// recipient, transfer, link) name objects Kessai does not have: their
// searches find nothing.
func (s *Service) Search(ctx context.Context, auth *kessai.Auth, p *kessai.SearchParams) (*kessai.SearchResult, error) {
	if err := p.Normalize(); err != nil {
		return nil, err
	}
	now := s.now()
	switch p.Scope {
	case kessai.ScopeCharge:
		f, err := kessai.ParseChargeFilter(p.Filters, now)
		if err != nil {
			return nil, err
		}
		data, total, err := s.db.SearchCharges(ctx, auth.AccountID, auth.Livemode, p, f)
		if err != nil {
			return nil, err
		}
		return kessai.NewSearchResult(p, nonNil(data), total), nil
	case kessai.ScopeCustomer:
		f, err := kessai.ParseCustomerFilter(p.Filters, now)
		if err != nil {
			return nil, err
		}
		data, total, err := s.db.SearchCustomers(ctx, auth.AccountID, auth.Livemode, p, f)
		if err != nil {
			return nil, err
		}
		return kessai.NewSearchResult(p, nonNil(data), total), nil
	case kessai.ScopeRefund:
		f, err := kessai.ParseRefundFilter(p.Filters, now)
		if err != nil {
			return nil, err
		}
		data, total, err := s.db.SearchRefunds(ctx, auth.AccountID, auth.Livemode, p, f)
		if err != nil {
			return nil, err
		}
		return kessai.NewSearchResult(p, nonNil(data), total), nil
	}
	return kessai.NewSearchResult(p, nil, 0), nil
}

// nonNil returns s, or an empty slice for nil, so that data encodes as [].
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
