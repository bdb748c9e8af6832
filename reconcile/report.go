package reconcile

import (
	"bufio"
	"fmt"
	"io"
)

// Kind names a kind of mismatch.
type Kind string

// The kinds of mismatch.
const (
	// MissingHold is an open authorization at the gateway (a pending,
	// authorized charge) for which the issuer holds nothing.
	MissingHold Kind = "missing_hold"
	// MissingPosting is a successful charge whose capture the issuer has
	// not posted.
	MissingPosting Kind = "missing_posting"
	// HoldNotReleased is a hold still open at the issuer for a charge that
	// has none at the gateway: failed, reversed, expired, never authorized,
	// or captured (the rest of a partial capture).
	HoldNotReleased Kind = "hold_not_released"
	// UnexpectedPosting is a posting at the issuer for a charge the gateway
	// does not count as captured.
	UnexpectedPosting Kind = "unexpected_posting"
	// AmountMismatch is a charge or refund both sides have, for other
	// amounts or in other currencies.
	AmountMismatch Kind = "amount_mismatch"
	// MissingRefund is a closed refund the issuer has not credited.
	MissingRefund Kind = "missing_refund"
	// UnexpectedRefund is a credit at the issuer for a refund the gateway
	// failed.
	UnexpectedRefund Kind = "unexpected_refund"
	// UnknownReference is money held, posted or credited at the issuer
	// under a reference the gateway has no charge or refund for.
	UnknownReference Kind = "unknown_reference"
)

// Position is what is held, posted and credited under one reference, in
// the currency's minor unit.
type Position struct {
	Held     int64
	Posted   int64
	Credited int64
}

// IsZero reports whether the position moves no money.
func (p Position) IsZero() bool { return p == Position{} }

func (p Position) String() string {
	return fmt.Sprintf("held %d posted %d credited %d", p.Held, p.Posted, p.Credited)
}

// Mismatch is one disagreement between the gateway and the issuer.
type Mismatch struct {
	Kind Kind
	// Reference is the charge or refund id the issuer's ledger carries
	// (the charge id of a charge, the refund id of a refund), "" for
	// issuer entries that carry none.
	Reference string
	// Charge is the charge id: the charge itself, or the refunded charge
	// of a refund; "" when the gateway knows no such record.
	Charge string
	// Status is the gateway's status of the charge or refund, "" when the
	// gateway has no such record.
	Status string
	// Currency is lowercase ISO 4217 ("jpy"), the gateway's when it has
	// the record.
	Currency string
	// Gateway is the position the gateway's record calls for, and Issuer
	// the one the issuer's ledger shows.
	Gateway Position
	Issuer  Position
	// IssuerCurrency is the currency of the issuer's entries when it
	// differs from Currency.
	IssuerCurrency string
	// Transaction is the issuer's network key of the transaction, for
	// entries without a reference.
	Transaction string
}

// Report is the outcome of a reconciliation.
type Report struct {
	// Charges and Refunds count the gateway records read.
	Charges, Refunds int
	// References counts the issuer references (and unreferenced
	// transactions) with ledger entries.
	References int
	// PendingReversals counts the reversals queued at the link and not yet
	// acknowledged, and ExpiredReversals those given up unacknowledged
	// (their holds need a hand).
	PendingReversals, ExpiredReversals int
	// InFlight counts the charges and refunds left out of the comparison
	// because an operation on them is in flight or their reversal is
	// queued.
	InFlight int
	// Mismatches are sorted by reference.
	Mismatches []Mismatch
}

// OK reports whether the report holds no mismatch.
func (r *Report) OK() bool { return len(r.Mismatches) == 0 }

// WriteText writes the report for a person:
//
//	charges: 12, refunds: 3, issuer references: 15
//	pending reversals: 0
//	expired reversals: 0
//	in flight: 0
//	mismatches: 1
//	  hold_not_released  chrg_test_…  failed  jpy  gateway: held 0 posted 0 credited 0  issuer: held 1000 posted 0 credited 0
func (r *Report) WriteText(w io.Writer) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "charges: %d, refunds: %d, issuer references: %d\n", r.Charges, r.Refunds, r.References)
	fmt.Fprintf(b, "pending reversals: %d\n", r.PendingReversals)
	fmt.Fprintf(b, "expired reversals: %d\n", r.ExpiredReversals)
	fmt.Fprintf(b, "in flight: %d\n", r.InFlight)
	fmt.Fprintf(b, "mismatches: %d\n", len(r.Mismatches))
	for _, m := range r.Mismatches {
		ref := m.Reference
		if ref == "" {
			ref = "(no reference) " + m.Transaction
		}
		status, cur := m.Status, m.Currency
		if status == "" {
			status = "-"
		}
		if cur == "" {
			cur = "-"
		}
		fmt.Fprintf(b, "  %s  %s", m.Kind, ref)
		if m.Charge != "" && m.Charge != m.Reference {
			fmt.Fprintf(b, " (charge %s)", m.Charge)
		}
		fmt.Fprintf(b, "  %s  %s  gateway: %s  issuer: %s", status, cur, m.Gateway, m.Issuer)
		if m.IssuerCurrency != "" {
			fmt.Fprintf(b, " in %s", m.IssuerCurrency)
		}
		b.WriteByte('\n')
	}
	return b.Flush()
}
