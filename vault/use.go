package vault

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/card"
	"github.com/kessai/kessai/sqlstore"
)

// UseToken marks a token of the caller's account and mode used, in tx, the
// caller's write transaction (the one that records the charge or attaches
// the card to a customer). It does not destroy the security code: that
// happens at the first [Vault.RevealToken] or at expiry. Returns the token,
// now used, with its card. Returns ENotFound "token <id> was not found" if
// the token does not exist, EUsedToken "token was already used" if it was
// used before, and EInvalidCardToken "token has expired" if it is past its
// lifetime.
func (v *Vault) UseToken(tx *sqlstore.Tx, auth *kessai.Auth, id string) (*kessai.Token, error) {
	res, err := tx.Exec(`UPDATE tokens SET used = TRUE, used_at = $1
		WHERE id = $2 AND account_id = $3 AND livemode = $4 AND NOT used AND expires_at > $1`,
		sqlstore.Micros(tx.Now), id, auth.AccountID, auth.Livemode)
	if err != nil {
		return nil, fmt.Errorf("vault: use token: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, fmt.Errorf("vault: use token: %w", err)
	}
	t, err := scanToken(tx.QueryRow(tokenSelect+`
		WHERE t.id = $1 AND t.account_id = $2 AND t.livemode = $3`, id, auth.AccountID, auth.Livemode))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("token", id)
	}
	if err != nil {
		return nil, fmt.Errorf("vault: use token: %w", err)
	}
	switch {
	case n == 1:
		return t, nil
	case t.Used:
		return nil, kessai.Errorf(kessai.EUsedToken, "token was already used")
	default:
		return nil, kessai.Errorf(kessai.EInvalidCardToken, "token has expired")
	}
}

// SetTokenChargeStatus sets the charge_status the Token object shows (the
// status of the charge that used it), in tx. Returns ENotFound if the token
// does not exist.
func (v *Vault) SetTokenChargeStatus(tx *sqlstore.Tx, id, status string) error {
	res, err := tx.Exec(`UPDATE tokens SET charge_status = $1 WHERE id = $2`, status, id)
	if err != nil {
		return fmt.Errorf("vault: set token charge status: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("vault: set token charge status: %w", err)
	} else if n != 1 {
		return notFound("token", id)
	}
	return nil
}

// RevealToken returns the card data behind a token for the card network:
// number, expiry, name and, if the vault still holds it, the security code.
// It destroys the security code in tx, so the code is revealed at most once,
// even to concurrent callers on several nodes; a code of an expired token is
// destroyed and not returned. Call it in the write transaction that records
// the authorization request, after [Vault.UseToken] (the same or an earlier
// transaction) checked the caller's right to the token. Returns ENotFound if
// the token does not exist.
func (v *Vault) RevealToken(tx *sqlstore.Tx, id string) (*CardData, error) {
	var cardID string
	var codeCT, numberCT []byte
	var expires int64
	d := &CardData{}
	err := tx.QueryRow(`SELECT t.card_id, t.security_code_ciphertext, t.expires_at,
			c.number_ciphertext, c.expiration_month, c.expiration_year, c.name
		FROM tokens t JOIN cards c ON c.id = t.card_id WHERE t.id = $1`, id,
	).Scan(&cardID, &codeCT, &expires, &numberCT, &d.ExpirationMonth, &d.ExpirationYear, &d.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("token", id)
	}
	if err != nil {
		return nil, fmt.Errorf("vault: reveal token: %w", err)
	}
	d.CardID = cardID
	if d.Number, err = v.decryptNumber(tx.Context(), cardID, numberCT); err != nil {
		return nil, err
	}
	if codeCT == nil {
		return d, nil
	}
	res, err := tx.Exec(`UPDATE tokens SET security_code_ciphertext = NULL, key_id = NULL
		WHERE id = $1 AND security_code_ciphertext IS NOT NULL`, id)
	if err != nil {
		return nil, fmt.Errorf("vault: destroy security code: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, fmt.Errorf("vault: destroy security code: %w", err)
	}
	if n != 1 || sqlstore.FromMicros(expires).Compare(tx.Now) <= 0 {
		// Another transaction took the code first, or the token expired.
		return d, nil
	}
	pt, err := v.decrypt(tx.Context(), codeCT, []byte(id))
	if err != nil {
		return nil, fmt.Errorf("vault: security code of token %s: %w", id, err)
	}
	d.SecurityCode = card.NewSecurityCode(string(pt))
	clear(pt)
	return d, nil
}

// RevealCard returns the card data of a stored card (a customer's saved
// card) for the card network: number, expiry and name, never a security
// code. It reads committed data and writes nothing. Returns ENotFound if the
// card does not exist or was deleted.
func (v *Vault) RevealCard(ctx context.Context, id string) (*CardData, error) {
	var numberCT []byte
	d := &CardData{CardID: id}
	err := v.db.QueryRowContext(ctx, `SELECT number_ciphertext, expiration_month, expiration_year, name
		FROM cards WHERE id = $1 AND NOT deleted`, id,
	).Scan(&numberCT, &d.ExpirationMonth, &d.ExpirationYear, &d.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("card", id)
	}
	if err != nil {
		return nil, fmt.Errorf("vault: reveal card: %w", err)
	}
	if d.Number, err = v.decryptNumber(ctx, id, numberCT); err != nil {
		return nil, err
	}
	return d, nil
}

// decryptNumber opens a card's number ciphertext.
func (v *Vault) decryptNumber(ctx context.Context, cardID string, ct []byte) (card.Number, error) {
	pt, err := v.decrypt(ctx, ct, []byte(cardID))
	if err != nil {
		return card.Number{}, fmt.Errorf("vault: number of card %s: %w", cardID, err)
	}
	n, err := card.ParseNumber(string(pt))
	clear(pt)
	if err != nil {
		// The error names the field, never the digits.
		return card.Number{}, fmt.Errorf("vault: stored number of card %s: %w", cardID, err)
	}
	return n, nil
}

// SpendToken does [Vault.UseToken] and [Vault.RevealToken] together, in one
// read and one write of tx: it marks a token of the caller's account and
// mode used and destroys its security code, and returns the token (now
// used) with its card, and the card data for the network, with the security
// code when the vault still held it. Only the transaction whose update
// marked the token used sees the code. Fails like UseToken.
func (v *Vault) SpendToken(tx *sqlstore.Tx, auth *kessai.Auth, id string) (*kessai.Token, *CardData, error) {
	var codeCT, numberCT []byte
	t, err := scanToken(tx.QueryRow(`SELECT `+cardColumns+`, `+tokenColumns+`, t.id, t.account_id, t.livemode,
			t.security_code_ciphertext, c.number_ciphertext
		FROM tokens t JOIN cards c ON c.id = t.card_id
		WHERE t.id = $1 AND t.account_id = $2 AND t.livemode = $3`, id, auth.AccountID, auth.Livemode), &codeCT, &numberCT)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, notFound("token", id)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("vault: spend token: %w", err)
	}
	res, err := tx.Exec(`UPDATE tokens SET used = TRUE, used_at = $1, security_code_ciphertext = NULL, key_id = NULL
		WHERE id = $2 AND NOT used AND expires_at > $1`, sqlstore.Micros(tx.Now), id)
	if err != nil {
		return nil, nil, fmt.Errorf("vault: spend token: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, nil, fmt.Errorf("vault: spend token: %w", err)
	}
	if n != 1 {
		// Used before, or (PostgreSQL) by a concurrent writer after our
		// read: either way no longer ours; else it expired.
		if t.Used || t.ExpiresAt.After(tx.Now) {
			return nil, nil, kessai.Errorf(kessai.EUsedToken, "token was already used")
		}
		return nil, nil, kessai.Errorf(kessai.EInvalidCardToken, "token has expired")
	}
	t.Used = true
	c := t.Card
	d := &CardData{CardID: c.ID, ExpirationMonth: c.ExpirationMonth, ExpirationYear: c.ExpirationYear, Name: c.Name}
	if d.Number, err = v.decryptNumber(tx.Context(), c.ID, numberCT); err != nil {
		return nil, nil, err
	}
	if codeCT != nil {
		pt, err := v.decrypt(tx.Context(), codeCT, []byte(id))
		if err != nil {
			return nil, nil, fmt.Errorf("vault: security code of token %s: %w", id, err)
		}
		d.SecurityCode = card.NewSecurityCode(string(pt))
		clear(pt)
	}
	return t, d, nil
}
