package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/kessai/kessai"
)

// chargeCols are the stored columns of a charge, in the order scanCharge
// reads them.
const chargeCols = `id, account_id, livemode, version, status, inflight, inflight_at, amount, currency,
	captured_amount, refunded_amount, fee_flat, fee_rate, vat_rate, capture, authorization_type, description,
	metadata, card, token_id, customer_id, transaction_id, ip, return_uri, authorize_uri, authentication,
	authenticated_by, failure_code, failure_message, merchant_advice, merchant_advice_code, approval_code,
	acquirer_reference_number, network_ref, platform_fee, webhook_endpoints, authorized_at, paid_at,
	reversed_at, expired_at, expires_at, created_at, updated_at, three_d_secure`

// chargeArgs returns the values of chargeCols for c, then card_id and
// card_last_digits.
func chargeArgs(c *kessai.Charge) ([]any, error) {
	meta, err := jsonArg(c.Metadata)
	if err != nil {
		return nil, fmt.Errorf("charge metadata: %w", err)
	}
	if meta == nil {
		meta = "{}"
	}
	var card, cardID, last any
	if c.Card != nil {
		if card, err = jsonArg(c.Card); err != nil {
			return nil, fmt.Errorf("charge card: %w", err)
		}
		cardID, last = c.Card.ID, c.Card.LastDigits
	}
	var platform any
	if c.PlatformFee != (kessai.PlatformFee{}) {
		if platform, err = jsonArg(c.PlatformFee); err != nil {
			return nil, err
		}
	}
	var hooks any
	if len(c.WebhookEndpoints) > 0 {
		if hooks, err = jsonArg(c.WebhookEndpoints); err != nil {
			return nil, err
		}
	}
	var token any
	if c.TokenID != "" {
		token = c.TokenID
	}
	var inflightAt any
	if c.Inflight != "" {
		inflightAt = Micros(c.InflightAt)
	}
	var tds any
	if c.ThreeDSecure != nil {
		if tds, err = jsonArg(c.ThreeDSecure); err != nil {
			return nil, err
		}
	}
	return []any{
		c.ID, c.AccountID, c.Livemode, c.Version, string(c.Status), c.Inflight, inflightAt, c.Amount, c.Currency,
		c.CapturedAmount, c.RefundedAmount, c.Fees.Flat, c.Fees.RateBP, c.Fees.VatBP, c.Capture, c.AuthorizationType, c.Description,
		meta, card, token, c.Customer, c.Transaction, c.IP, c.ReturnURI, c.AuthorizeURI, c.Authentication,
		c.AuthenticatedBy, c.FailureCode, c.FailureMessage, c.MerchantAdvice, c.MerchantAdviceCode, c.ApprovalCode,
		c.AcquirerReferenceNumber, c.NetworkRef, platform, hooks, timeArg(c.AuthorizedAt), timeArg(c.PaidAt),
		timeArg(c.ReversedAt), timeArg(c.ExpiredAt), timeArg(c.ExpiresAt), Micros(c.CreatedAt.Time), Micros(c.UpdatedAt), tds,
		cardID, last,
	}, nil
}

// scanCharge reads a row of chargeCols and derives the charge's flags.
func scanCharge(r rowScanner) (*kessai.Charge, error) {
	c := &kessai.Charge{}
	var status, meta string
	var card, token, platform, hooks, tds sql.NullString
	var inflightAt, authorizedAt, paidAt, reversedAt, expiredAt, expiresAt sql.NullInt64
	var created, updated int64
	err := r.Scan(&c.ID, &c.AccountID, &c.Livemode, &c.Version, &status, &c.Inflight, &inflightAt, &c.Amount, &c.Currency,
		&c.CapturedAmount, &c.RefundedAmount, &c.Fees.Flat, &c.Fees.RateBP, &c.Fees.VatBP, &c.Capture, &c.AuthorizationType, &c.Description,
		&meta, &card, &token, &c.Customer, &c.Transaction, &c.IP, &c.ReturnURI, &c.AuthorizeURI, &c.Authentication,
		&c.AuthenticatedBy, &c.FailureCode, &c.FailureMessage, &c.MerchantAdvice, &c.MerchantAdviceCode, &c.ApprovalCode,
		&c.AcquirerReferenceNumber, &c.NetworkRef, &platform, &hooks, &authorizedAt, &paidAt,
		&reversedAt, &expiredAt, &expiresAt, &created, &updated, &tds)
	if err != nil {
		return nil, err
	}
	c.Status = kessai.ChargeStatus(status)
	c.Metadata = metadataOf(meta)
	if card.Valid {
		c.Card = &kessai.Card{}
		if err := json.Unmarshal([]byte(card.String), c.Card); err != nil {
			return nil, fmt.Errorf("charge %s card: %w", c.ID, err)
		}
	}
	c.TokenID = token.String
	if platform.Valid {
		json.Unmarshal([]byte(platform.String), &c.PlatformFee)
	}
	if hooks.Valid {
		json.Unmarshal([]byte(hooks.String), &c.WebhookEndpoints)
	}
	if tds.Valid {
		c.ThreeDSecure = &kessai.AuthenticationSummary{}
		json.Unmarshal([]byte(tds.String), c.ThreeDSecure)
	}
	if inflightAt.Valid {
		c.InflightAt = FromMicros(inflightAt.Int64)
	}
	c.AuthorizedAt, c.PaidAt, c.ReversedAt = timeOf(authorizedAt), timeOf(paidAt), timeOf(reversedAt)
	c.ExpiredAt, c.ExpiresAt = timeOf(expiredAt), timeOf(expiresAt)
	c.CreatedAt = kessai.Time{Time: FromMicros(created)}
	c.UpdatedAt = FromMicros(updated)
	c.Derive()
	return c, nil
}

// InsertCharge stores a new charge. It fills in an empty ID, CreatedAt
// (tx.Now) and sets Version to 1 and UpdatedAt to tx.Now, then derives the
// charge's flags. Fails if the id exists.
func (tx *Tx) InsertCharge(c *kessai.Charge) error {
	if c.ID == "" {
		c.ID = kessai.NewID(kessai.PrefixCharge, c.Livemode)
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = kessai.Time{Time: tx.Now}
	}
	c.Version, c.UpdatedAt = 1, tx.Now
	c.Derive()
	args, err := chargeArgs(c)
	if err != nil {
		return err
	}
	_, err = tx.Exec(`INSERT INTO charges (`+chargeCols+`, card_id, card_last_digits) VALUES (`+placeholders(1, len(args))+`)`, args...)
	if err != nil {
		return fmt.Errorf("insert charge: %w", err)
	}
	return nil
}

// UpdateCharge stores every field of c over the stored charge of the same
// version, then increments c.Version, sets UpdatedAt to tx.Now and derives
// the flags. Returns EConflict when the stored charge has changed since c
// was read, ENotFound when there is none.
func (tx *Tx) UpdateCharge(c *kessai.Charge) error {
	c.Derive()
	old := c.Version
	c.Version, c.UpdatedAt = old+1, tx.Now
	args, err := chargeArgs(c)
	if err != nil {
		c.Version = old
		return err
	}
	// Columns 2.. of chargeCols, keyed by id and the old version.
	res, err := tx.Exec(`UPDATE charges SET (`+chargeCols+`, card_id, card_last_digits) = (`+placeholders(1, len(args))+`)
		WHERE id = $1 AND version = $`+fmt.Sprint(len(args)+1), append(args, old)...)
	if err != nil {
		c.Version = old
		return fmt.Errorf("update charge: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		c.Version = old
		var exists int
		if err := tx.QueryRow(`SELECT count(*) FROM charges WHERE id = $1`, c.ID).Scan(&exists); err != nil {
			return fmt.Errorf("update charge: %w", err)
		}
		if exists == 0 {
			return kessai.NotFound("charge", c.ID)
		}
		return kessai.Errorf(kessai.EConflict, "charge %s was changed by another request", c.ID)
	}
	return nil
}

// FindCharge returns a charge of the account and mode as stored in the
// transaction (for a change based on it), without its refunds list. Returns
// ENotFound.
func (tx *Tx) FindCharge(accountID string, livemode bool, id string) (*kessai.Charge, error) {
	c, err := scanCharge(tx.QueryRow(`SELECT `+chargeCols+` FROM charges WHERE id = $1 AND account_id = $2 AND livemode = $3`, id, accountID, livemode))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kessai.NotFound("charge", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find charge: %w", err)
	}
	return c, nil
}

// FindCharge returns a charge of the account and mode, with the first page
// of its refunds. Returns ENotFound.
func (db *DB) FindCharge(ctx context.Context, accountID string, livemode bool, id string) (*kessai.Charge, error) {
	c, err := scanCharge(db.QueryRowContext(ctx, `SELECT `+chargeCols+` FROM charges WHERE id = $1 AND account_id = $2 AND livemode = $3`, id, accountID, livemode))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kessai.NotFound("charge", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find charge: %w", err)
	}
	if err := db.attachRefunds(ctx, []*kessai.Charge{c}); err != nil {
		return nil, err
	}
	return c, nil
}

// ListCharges returns a page of the charges of the account and mode, each
// with the first page of its refunds.
func (db *DB) ListCharges(ctx context.Context, accountID string, livemode bool, p kessai.ListParams) (*kessai.List[*kessai.Charge], error) {
	p = NormalizeList(p, db.Now())
	var data []*kessai.Charge
	total, err := db.page(ctx, listQuery{
		table: "charges", cols: chargeCols,
		where: "account_id = $1 AND livemode = $2", args: []any{accountID, livemode},
	}, p, func(r rowScanner) error {
		c, err := scanCharge(r)
		data = append(data, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := db.attachRefunds(ctx, data); err != nil {
		return nil, err
	}
	return kessai.NewList("/charges", p, data, total), nil
}

// InflightCharges returns up to limit charges of every account with a
// network operation sent at or before until and no answer recorded, oldest
// first: the work of the recovery pass.
func (db *DB) InflightCharges(ctx context.Context, until time.Time, limit int) ([]*kessai.Charge, error) {
	return db.chargesWhere(ctx, `inflight <> '' AND inflight_at <= $1 ORDER BY inflight_at, id LIMIT $2`, Micros(until), limit)
}

// ExpiringCharges returns up to limit open authorizations of every account
// (pending, authorized, nothing in flight) whose expires_at is at or before
// now, soonest first: the work of the expiry sweeper.
func (db *DB) ExpiringCharges(ctx context.Context, now time.Time, limit int) ([]*kessai.Charge, error) {
	return db.chargesWhere(ctx, `status = 'pending' AND expires_at <= $1 AND authorized_at IS NOT NULL AND inflight = '' ORDER BY expires_at, id LIMIT $2`, Micros(now), limit)
}

func (db *DB) chargesWhere(ctx context.Context, where string, args ...any) ([]*kessai.Charge, error) {
	rows, err := db.QueryContext(ctx, `SELECT `+chargeCols+` FROM charges WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list charges: %w", err)
	}
	defer rows.Close()
	var out []*kessai.Charge
	for rows.Next() {
		c, err := scanCharge(rows)
		if err != nil {
			return nil, fmt.Errorf("list charges: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
