// The velocity attributes, written out by a shell loop (see docs/fraud.md for the names).

package fraud

// velocityFields are the velocity attributes of [Env], in the order of
// [Velocity] (metric, dimension, window).
type velocityFields struct {
	AttemptsPerCardW10M     int64 `expr:"attempts_per_card_10m"`
	AttemptsPerCardW1H      int64 `expr:"attempts_per_card_1h"`
	AttemptsPerCardW24H     int64 `expr:"attempts_per_card_24h"`
	AttemptsPerIPW10M       int64 `expr:"attempts_per_ip_10m"`
	AttemptsPerIPW1H        int64 `expr:"attempts_per_ip_1h"`
	AttemptsPerIPW24H       int64 `expr:"attempts_per_ip_24h"`
	AttemptsPerEmailW10M    int64 `expr:"attempts_per_email_10m"`
	AttemptsPerEmailW1H     int64 `expr:"attempts_per_email_1h"`
	AttemptsPerEmailW24H    int64 `expr:"attempts_per_email_24h"`
	AttemptsPerCustomerW10M int64 `expr:"attempts_per_customer_10m"`
	AttemptsPerCustomerW1H  int64 `expr:"attempts_per_customer_1h"`
	AttemptsPerCustomerW24H int64 `expr:"attempts_per_customer_24h"`
	AttemptsPerBINW10M      int64 `expr:"attempts_per_bin_10m"`
	AttemptsPerBINW1H       int64 `expr:"attempts_per_bin_1h"`
	AttemptsPerBINW24H      int64 `expr:"attempts_per_bin_24h"`
	DeclinesPerCardW10M     int64 `expr:"declines_per_card_10m"`
	DeclinesPerCardW1H      int64 `expr:"declines_per_card_1h"`
	DeclinesPerCardW24H     int64 `expr:"declines_per_card_24h"`
	DeclinesPerIPW10M       int64 `expr:"declines_per_ip_10m"`
	DeclinesPerIPW1H        int64 `expr:"declines_per_ip_1h"`
	DeclinesPerIPW24H       int64 `expr:"declines_per_ip_24h"`
	DeclinesPerEmailW10M    int64 `expr:"declines_per_email_10m"`
	DeclinesPerEmailW1H     int64 `expr:"declines_per_email_1h"`
	DeclinesPerEmailW24H    int64 `expr:"declines_per_email_24h"`
	DeclinesPerCustomerW10M int64 `expr:"declines_per_customer_10m"`
	DeclinesPerCustomerW1H  int64 `expr:"declines_per_customer_1h"`
	DeclinesPerCustomerW24H int64 `expr:"declines_per_customer_24h"`
	DeclinesPerBINW10M      int64 `expr:"declines_per_bin_10m"`
	DeclinesPerBINW1H       int64 `expr:"declines_per_bin_1h"`
	DeclinesPerBINW24H      int64 `expr:"declines_per_bin_24h"`
	AmountPerCardW10M       int64 `expr:"amount_per_card_10m"`
	AmountPerCardW1H        int64 `expr:"amount_per_card_1h"`
	AmountPerCardW24H       int64 `expr:"amount_per_card_24h"`
	AmountPerIPW10M         int64 `expr:"amount_per_ip_10m"`
	AmountPerIPW1H          int64 `expr:"amount_per_ip_1h"`
	AmountPerIPW24H         int64 `expr:"amount_per_ip_24h"`
	AmountPerEmailW10M      int64 `expr:"amount_per_email_10m"`
	AmountPerEmailW1H       int64 `expr:"amount_per_email_1h"`
	AmountPerEmailW24H      int64 `expr:"amount_per_email_24h"`
	AmountPerCustomerW10M   int64 `expr:"amount_per_customer_10m"`
	AmountPerCustomerW1H    int64 `expr:"amount_per_customer_1h"`
	AmountPerCustomerW24H   int64 `expr:"amount_per_customer_24h"`
	AmountPerBINW10M        int64 `expr:"amount_per_bin_10m"`
	AmountPerBINW1H         int64 `expr:"amount_per_bin_1h"`
	AmountPerBINW24H        int64 `expr:"amount_per_bin_24h"`
	CardsPerIPW10M          int64 `expr:"cards_per_ip_10m"`
	CardsPerIPW1H           int64 `expr:"cards_per_ip_1h"`
	CardsPerIPW24H          int64 `expr:"cards_per_ip_24h"`
	CardsPerEmailW10M       int64 `expr:"cards_per_email_10m"`
	CardsPerEmailW1H        int64 `expr:"cards_per_email_1h"`
	CardsPerEmailW24H       int64 `expr:"cards_per_email_24h"`
}

// setVelocity copies v into the fields.
func (f *velocityFields) setVelocity(v *Velocity) {
	f.AttemptsPerCardW10M = v.Attempts[DimCard][W10m]
	f.AttemptsPerCardW1H = v.Attempts[DimCard][W1h]
	f.AttemptsPerCardW24H = v.Attempts[DimCard][W24h]
	f.AttemptsPerIPW10M = v.Attempts[DimIP][W10m]
	f.AttemptsPerIPW1H = v.Attempts[DimIP][W1h]
	f.AttemptsPerIPW24H = v.Attempts[DimIP][W24h]
	f.AttemptsPerEmailW10M = v.Attempts[DimEmail][W10m]
	f.AttemptsPerEmailW1H = v.Attempts[DimEmail][W1h]
	f.AttemptsPerEmailW24H = v.Attempts[DimEmail][W24h]
	f.AttemptsPerCustomerW10M = v.Attempts[DimCustomer][W10m]
	f.AttemptsPerCustomerW1H = v.Attempts[DimCustomer][W1h]
	f.AttemptsPerCustomerW24H = v.Attempts[DimCustomer][W24h]
	f.AttemptsPerBINW10M = v.Attempts[DimBIN][W10m]
	f.AttemptsPerBINW1H = v.Attempts[DimBIN][W1h]
	f.AttemptsPerBINW24H = v.Attempts[DimBIN][W24h]
	f.DeclinesPerCardW10M = v.Declines[DimCard][W10m]
	f.DeclinesPerCardW1H = v.Declines[DimCard][W1h]
	f.DeclinesPerCardW24H = v.Declines[DimCard][W24h]
	f.DeclinesPerIPW10M = v.Declines[DimIP][W10m]
	f.DeclinesPerIPW1H = v.Declines[DimIP][W1h]
	f.DeclinesPerIPW24H = v.Declines[DimIP][W24h]
	f.DeclinesPerEmailW10M = v.Declines[DimEmail][W10m]
	f.DeclinesPerEmailW1H = v.Declines[DimEmail][W1h]
	f.DeclinesPerEmailW24H = v.Declines[DimEmail][W24h]
	f.DeclinesPerCustomerW10M = v.Declines[DimCustomer][W10m]
	f.DeclinesPerCustomerW1H = v.Declines[DimCustomer][W1h]
	f.DeclinesPerCustomerW24H = v.Declines[DimCustomer][W24h]
	f.DeclinesPerBINW10M = v.Declines[DimBIN][W10m]
	f.DeclinesPerBINW1H = v.Declines[DimBIN][W1h]
	f.DeclinesPerBINW24H = v.Declines[DimBIN][W24h]
	f.AmountPerCardW10M = v.Amount[DimCard][W10m]
	f.AmountPerCardW1H = v.Amount[DimCard][W1h]
	f.AmountPerCardW24H = v.Amount[DimCard][W24h]
	f.AmountPerIPW10M = v.Amount[DimIP][W10m]
	f.AmountPerIPW1H = v.Amount[DimIP][W1h]
	f.AmountPerIPW24H = v.Amount[DimIP][W24h]
	f.AmountPerEmailW10M = v.Amount[DimEmail][W10m]
	f.AmountPerEmailW1H = v.Amount[DimEmail][W1h]
	f.AmountPerEmailW24H = v.Amount[DimEmail][W24h]
	f.AmountPerCustomerW10M = v.Amount[DimCustomer][W10m]
	f.AmountPerCustomerW1H = v.Amount[DimCustomer][W1h]
	f.AmountPerCustomerW24H = v.Amount[DimCustomer][W24h]
	f.AmountPerBINW10M = v.Amount[DimBIN][W10m]
	f.AmountPerBINW1H = v.Amount[DimBIN][W1h]
	f.AmountPerBINW24H = v.Amount[DimBIN][W24h]
	f.CardsPerIPW10M = v.CardsIP[W10m]
	f.CardsPerIPW1H = v.CardsIP[W1h]
	f.CardsPerIPW24H = v.CardsIP[W24h]
	f.CardsPerEmailW10M = v.CardsEmail[W10m]
	f.CardsPerEmailW1H = v.CardsEmail[W1h]
	f.CardsPerEmailW24H = v.CardsEmail[W24h]
}
