package issuersim

import (
	"context"
	"fmt"
	"time"

	"github.com/kessai/kessai/sqlstore"
)

// Ledger entry kinds.
const (
	LedgerHold            = "hold"             // credit reserved by an authorization
	LedgerRelease         = "release"          // a hold ended without posting
	LedgerCapture         = "capture"          // a debit posted (a capture or a sale)
	LedgerRefund          = "refund"           // a credit posted
	LedgerCaptureReversal = "capture_reversal" // a posted debit undone by a reversal
	LedgerRefundReversal  = "refund_reversal"  // a posted credit undone by a reversal
)

// LedgerEntry is one movement on a cardholder account. Amounts are
// positive; Kind gives the direction.
type LedgerEntry struct {
	Seq      int64
	Time     time.Time
	Kind     string
	Amount   int64
	Currency string // lowercase ISO 4217 alphabetic when known, else numeric
	Last4    string
	// Reference is the acquirer's reference (DE48 tag 07: the gateway's
	// charge or refund id), "" when the acquirer sent none.
	Reference    string
	RRN          string
	ApprovalCode string
	TerminalID   string
	MerchantID   string
	// Transaction is the network key of the authorization, sale or refund
	// the entry belongs to; Message is that of the request that caused it.
	Transaction string
	Message     string
}

// LedgerQuery selects ledger entries.
type LedgerQuery struct {
	// Reference keeps the entries of one acquirer reference.
	Reference string
	// After keeps the entries with a larger Seq, for paging.
	After int64
	// Limit bounds the number of entries; 0 means 1000.
	Limit int
}

// Ledger returns the ledger entries matching q in order.
func (s *Server) Ledger(ctx context.Context, q LedgerQuery) ([]LedgerEntry, error) {
	return ReadLedger(ctx, s.db, q)
}

// ReadLedger returns the ledger entries matching q from an issuer database
// opened with [Open], for tools that do not run the host (reconcile).
func ReadLedger(ctx context.Context, db *sqlstore.DB, q LedgerQuery) ([]LedgerEntry, error) {
	if q.Limit <= 0 {
		q.Limit = 1000
	}
	rows, err := db.QueryContext(ctx, `SELECT seq, created_at, kind, amount, currency, last4, reference, rrn,
			approval_code, terminal_id, merchant_id, txn_key, msg_key
		FROM issuer_ledger WHERE ($1 = '' OR reference = $1) AND seq > $2 ORDER BY seq LIMIT $3`,
		q.Reference, q.After, q.Limit)
	if err != nil {
		return nil, fmt.Errorf("issuersim: ledger: %w", err)
	}
	defer rows.Close()
	var out []LedgerEntry
	for rows.Next() {
		var e LedgerEntry
		var at int64
		if err := rows.Scan(&e.Seq, &at, &e.Kind, &e.Amount, &e.Currency, &e.Last4, &e.Reference, &e.RRN,
			&e.ApprovalCode, &e.TerminalID, &e.MerchantID, &e.Transaction, &e.Message); err != nil {
			return nil, fmt.Errorf("issuersim: ledger: %w", err)
		}
		e.Time = sqlstore.FromMicros(at)
		e.Currency = currencyName(e.Currency)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("issuersim: ledger: %w", err)
	}
	return out, nil
}

// post appends a ledger entry for txn (the authorization, sale or refund)
// caused by the request with key msgKey. Sequence numbers come from the
// server, the one process that writes its database: a rolled-back entry
// leaves a gap, never a duplicate.
func (s *Server) post(tx *sqlstore.Tx, kind string, amount int64, a *account, txn *record, msgKey string) error {
	if amount == 0 {
		return nil
	}
	seq := s.seq.Add(1)
	_, err := tx.Exec(`INSERT INTO issuer_ledger (seq, account_id, last4, kind, amount, currency, msg_key, txn_key,
			reference, rrn, approval_code, terminal_id, merchant_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		seq, a.id, a.last4, kind, amount, txn.currency, msgKey, txn.key, txn.reference, txn.rrn, txn.approval,
		txn.terminalID, txn.merchantID, sqlstore.Micros(tx.Now))
	return err
}

// loadSeq reads the last ledger sequence number.
func loadSeq(ctx context.Context, db *sqlstore.DB) (int64, error) {
	var seq int64
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM issuer_ledger`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("issuersim: ledger: %w", err)
	}
	return seq, nil
}
