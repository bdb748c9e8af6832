package kessai

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Transaction directions.
const (
	Credit = "credit"
	Debit  = "debit"
)

// Transaction keys: what moved the money.
const (
	TransactionChargeCapture = "charge.captured.net" // credit: a capture, net of fee and VAT
	TransactionRefund        = "refund.created"      // debit: a refund
)

// Transaction is the Omise Transaction object of API version 2019-05-29: one
// movement of the account's balance. Type, Source and Transferable repeat
// Direction, Origin and TransferableAt under their pre-2019 names, which
// omise-go still reads.
type Transaction struct {
	Object         string `json:"object"` // "transaction"
	ID             string `json:"id"`
	Livemode       bool   `json:"livemode"`
	Location       string `json:"location"`
	Direction      string `json:"direction"`
	Key            string `json:"key"`
	Origin         string `json:"origin"`
	Amount         int64  `json:"amount"`
	Currency       string `json:"currency"`
	TransferableAt Time   `json:"transferable_at"`
	CreatedAt      Time   `json:"created_at"`

	Type         string `json:"type"`
	Source       string `json:"source"`
	Transferable Time   `json:"transferable"`

	// AccountID is the account whose balance moved.
	AccountID string `json:"-"`
}

// Derive sets the object, the location and the pre-2019 copies of fields.
func (t *Transaction) Derive() {
	t.Object = "transaction"
	t.Location = "/transactions/" + t.ID
	t.Type, t.Source, t.Transferable = t.Direction, t.Origin, t.TransferableAt
}

// FeeSchedule is how an account's charges are priced: a flat fee (in the
// smallest unit of the charge's currency) plus a rate of the amount, and VAT
// on that fee. Rates are in basis points (hundredths of a percent): 365 is
// 3.65 %.
type FeeSchedule struct {
	Flat   int64
	RateBP int64
	VatBP  int64
}

// DefaultFeeSchedule returns the standard pricing for an account country:
// 3.65 % + 7 % VAT in Thailand, 3.6 % + 10 % in Japan, 3.4 % + 9 % in
// Singapore, 3.0 % + 8 % in Malaysia, 3.65 % without VAT elsewhere.
func DefaultFeeSchedule(country string) FeeSchedule {
	switch strings.ToUpper(country) {
	case "TH":
		return FeeSchedule{RateBP: 365, VatBP: 700}
	case "JP":
		return FeeSchedule{RateBP: 360, VatBP: 1000}
	case "SG":
		return FeeSchedule{RateBP: 340, VatBP: 900}
	case "MY":
		return FeeSchedule{RateBP: 300, VatBP: 800}
	}
	return FeeSchedule{RateBP: 365}
}

// Apply returns the fee, the VAT on it and the net amount of amount: fee =
// flat + amount × rate, VAT = fee × VAT rate, each rounded half up to the
// smallest unit, and net = amount − fee − VAT. An amount of 0 or less costs
// nothing.
func (f FeeSchedule) Apply(amount int64) (fee, vat, net int64) {
	if amount <= 0 {
		return 0, 0, 0
	}
	fee = f.Flat + roundBP(amount, f.RateBP)
	vat = roundBP(fee, f.VatBP)
	return fee, vat, amount - fee - vat
}

// roundBP returns v × bp / 10000, rounded half up.
func roundBP(v, bp int64) int64 { return (v*bp + 5000) / 10000 }

// TransactionFees returns the schedule as a charge shows it, the flat fee in
// the main unit of currency.
func (f FeeSchedule) TransactionFees(currency string) TransactionFees {
	return TransactionFees{
		FeeFlat: decimal(f.Flat, CurrencyExponent(currency)),
		FeeRate: decimal(f.RateBP, 2),
		VatRate: decimal(f.VatBP, 2),
	}
}

// decimal formats v × 10^-exp with at least one and at most exp fraction
// digits: decimal(365, 2) = "3.65", decimal(700, 2) = "7.0".
func decimal(v int64, exp int) string {
	neg := v < 0
	if neg {
		v = -v
	}
	s := strconv.FormatInt(v, 10)
	if exp > 0 {
		for len(s) <= exp {
			s = "0" + s
		}
		whole, frac := s[:len(s)-exp], strings.TrimRight(s[len(s)-exp:], "0")
		if frac == "" {
			frac = "0"
		}
		s = whole + "." + frac
	} else {
		s += ".0"
	}
	if neg {
		s = "-" + s
	}
	return s
}

// TransactionService reads the account's transactions.
type TransactionService interface {
	// FindTransaction returns a transaction. Returns ENotFound.
	FindTransaction(ctx context.Context, auth *Auth, id string) (*Transaction, error)
	// ListTransactions returns a page of the transactions.
	ListTransactions(ctx context.Context, auth *Auth, p ListParams) (*List[*Transaction], error)
}

// SettlementDelay is how long after a capture its credit becomes
// transferable.
const SettlementDelay = 3 * 24 * time.Hour
