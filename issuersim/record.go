package issuersim

import (
	"crypto/rand"
	"database/sql"
	"errors"
	"strings"

	"github.com/kessai/kessai/iso8583msg"
	"github.com/kessai/kessai/sqlstore"
)

// Money states of a record (issuer_messages.state).
const (
	stateNone     = ""         // no money moved: declines, captures, reversals
	stateHeld     = "held"     // an authorization holding its amount
	stateCaptured = "captured" // an authorization posted, or a sale
	stateReleased = "released" // an authorization whose hold ended unposted
	stateCredited = "credited" // a refund
	stateReversed = "reversed" // undone by a reversal
	stateOrphaned = "orphaned" // never seen: its reversal came first
)

// record is one processed request: a row of issuer_messages.
type record struct {
	key, mti, processingCode, accountID string
	amount                              int64
	currency                            string
	outcome
	originalKey, reference, terminalID, merchantID string
	state                                          string
	held, captured, refunded                       int64
}

// outcome is the answer given to a request, replayed to its repeats.
type outcome struct {
	code, approval, rrn, cvv2 string
}

// messageKey is the durable identity of a request: its class, the
// acquirer (leading zeros dropped, as DE90 drops them), the terminal, the
// STAN and the transmission time.
func messageKey(mti, acquirerID, terminalID, stan, transmissionTime string) string {
	return string([]byte{iso8583msg.Class(mti)}) + "|" + strings.TrimLeft(acquirerID, "0") + "|" +
		terminalID + "|" + stan + "|" + transmissionTime
}

// keyOf returns the key of a request with the given MTI and trace.
func keyOf(mti string, t *iso8583msg.Trace) string {
	return messageKey(mti, t.AcquirerID, t.TerminalID, t.STAN, t.TransmissionTime)
}

// originalKey returns the key of the request DE90 names; the original
// came from the same terminal as the message quoting it.
func originalKey(o *iso8583msg.OriginalData, terminalID string) string {
	return messageKey(o.MTI, o.AcquirerID, terminalID, o.STAN, o.TransmissionTime)
}

const recordColumns = `msg_key, mti, processing_code, account_id, amount, currency, response_code, approval_code,
	rrn, cvv2_result, original_key, reference, terminal_id, merchant_id, state, held, captured, refunded`

// findRecord returns the record of key, or nil when there is none.
func findRecord(tx *sqlstore.Tx, key string) (*record, error) {
	var r record
	err := tx.QueryRow(`SELECT `+recordColumns+` FROM issuer_messages WHERE msg_key = $1`, key).Scan(
		&r.key, &r.mti, &r.processingCode, &r.accountID, &r.amount, &r.currency, &r.code, &r.approval,
		&r.rrn, &r.cvv2, &r.originalKey, &r.reference, &r.terminalID, &r.merchantID, &r.state, &r.held,
		&r.captured, &r.refunded)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

func insertRecord(tx *sqlstore.Tx, r *record) error {
	now := sqlstore.Micros(tx.Now)
	_, err := tx.Exec(`INSERT INTO issuer_messages (`+recordColumns+`, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19)`,
		r.key, r.mti, r.processingCode, r.accountID, r.amount, r.currency, r.code, r.approval,
		r.rrn, r.cvv2, r.originalKey, r.reference, r.terminalID, r.merchantID, r.state, r.held,
		r.captured, r.refunded, now)
	return err
}

// saveMoney stores the money state of r.
func saveMoney(tx *sqlstore.Tx, r *record) error {
	_, err := tx.Exec(`UPDATE issuer_messages SET state = $2, held = $3, captured = $4, refunded = $5, updated_at = $6
		WHERE msg_key = $1`, r.key, r.state, r.held, r.captured, r.refunded, sqlstore.Micros(tx.Now))
	return err
}

// replay looks for an earlier request with key. A repeat (or any
// reversal: they are idempotent whatever their MTI) gets the stored answer;
// another request with a known key is a duplicate (94), except an original
// whose reversal came first, which gets 68. found is false for a new key.
func replay(tx *sqlstore.Tx, key, mti string) (o outcome, found bool, err error) {
	r, err := findRecord(tx, key)
	if err != nil || r == nil {
		return outcome{}, false, err
	}
	if iso8583msg.IsRepeat(mti) || iso8583msg.Class(mti) == '4' || r.state == stateOrphaned {
		return r.outcome, true, nil
	}
	return outcome{code: iso8583msg.DuplicateTransmission, rrn: r.rrn}, true, nil
}

const approvalAlphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// newApprovalCode returns a random 6-character approval code.
func newApprovalCode() string {
	b := make([]byte, 6)
	rand.Read(b)
	for i := range b {
		b[i] = approvalAlphabet[int(b[i])%len(approvalAlphabet)]
	}
	return string(b)
}
