package payment

import (
	"context"

	"github.com/kessai/kessai"
)

// FindTransaction returns a transaction; see
// [kessai.TransactionService.FindTransaction].
func (s *Service) FindTransaction(ctx context.Context, auth *kessai.Auth, id string) (*kessai.Transaction, error) {
	return s.db.FindTransaction(ctx, auth.AccountID, auth.Livemode, id)
}

// ListTransactions returns a page of transactions; see
// [kessai.TransactionService.ListTransactions].
func (s *Service) ListTransactions(ctx context.Context, auth *kessai.Auth, p kessai.ListParams) (*kessai.List[*kessai.Transaction], error) {
	return s.db.ListTransactions(ctx, auth.AccountID, auth.Livemode, p)
}

// Balance returns the balance in the account's currency, summed from the
// ledger; see [kessai.BalanceService.Balance]. Charges in other currencies
// are not converted and do not count here.
func (s *Service) Balance(ctx context.Context, auth *kessai.Auth) (*kessai.Balance, error) {
	acct, err := s.account(ctx, auth.AccountID)
	if err != nil {
		return nil, err
	}
	return s.db.Balance(ctx, auth.AccountID, auth.Livemode, acct.Currency, s.now())
}
