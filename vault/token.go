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

// CreateToken validates the card data and stores it: a card row with the
// number encrypted (the card id as associated data) and a token row with the
// security code, if given, encrypted (the token id as associated data), both
// in one write transaction. Returns the token with its card, in the Omise
// shapes. Returns EInvalidCard with a message naming the bad field (such as
// "number is invalid (check digit)") and writes nothing when the card is not
// valid; other failures are internal.
func (v *Vault) CreateToken(ctx context.Context, auth *kessai.Auth, raw *card.RawInput, clientIP string) (*kessai.Token, error) {
	if auth == nil {
		return nil, errors.New("vault: create token: no auth")
	}
	if raw == nil {
		raw = &card.RawInput{}
	}
	in, err := raw.Parse(v.db.Now())
	if err != nil {
		if fe, ok := errors.AsType[*card.FieldError](err); ok {
			return nil, kessai.Errorf(kessai.EInvalidCard, "%s", fe.Error())
		}
		return nil, kessai.Errorf(kessai.EInvalidCard, "card is invalid")
	}
	cardID := kessai.NewID(kessai.PrefixCard, auth.Livemode)
	tokenID := kessai.NewID(kessai.PrefixToken, auth.Livemode)
	fp, err := v.fingerprint(in.Number)
	if err != nil {
		return nil, err
	}

	keys := v.acquire()
	defer keys.release()
	pt := []byte(in.Number.Reveal())
	numberCT, err := keys.aead.Encrypt(pt, []byte(cardID))
	clear(pt)
	if err != nil {
		return nil, fmt.Errorf("vault: encrypt number: %w", err)
	}
	var codeCT []byte
	var codeKey any // NULL without a code
	if !in.SecurityCode.IsZero() {
		pt := []byte(in.SecurityCode.Reveal())
		codeCT, err = keys.aead.Encrypt(pt, []byte(tokenID))
		clear(pt)
		if err != nil {
			return nil, fmt.Errorf("vault: encrypt security code: %w", err)
		}
		codeKey = int64(keys.primary)
	}

	bin := card.LookupBIN(in.Number)
	country := in.Country
	if country == "" {
		country = bin.Country
	}
	c := &kessai.Card{
		Object:            "card",
		ID:                cardID,
		Livemode:          auth.Livemode,
		Street1:           optString(in.Street1),
		Street2:           optString(in.Street2),
		City:              optString(in.City),
		State:             optString(in.State),
		PhoneNumber:       optString(in.PhoneNumber),
		PostalCode:        optString(in.PostalCode),
		Country:           country,
		Financing:         bin.Financing,
		Bank:              bin.Bank,
		Brand:             string(in.Number.Brand()),
		Fingerprint:       fp,
		LastDigits:        in.Number.Last4(),
		Name:              in.Name,
		ExpirationMonth:   in.ExpirationMonth,
		ExpirationYear:    in.ExpirationYear,
		SecurityCodeCheck: !in.SecurityCode.IsZero(),
		AccountID:         auth.AccountID,
	}
	t := &kessai.Token{
		Object:       "token",
		ID:           tokenID,
		Livemode:     auth.Livemode,
		Location:     "/tokens/" + tokenID,
		ChargeStatus: "unknown",
		Card:         c,
		AccountID:    auth.AccountID,
		ClientIP:     clientIP,
	}
	cardArgs := []any{
		cardID, auth.AccountID, auth.Livemode, numberCT, int64(keys.primary),
		fp, c.Brand, in.Number.BIN(), c.LastDigits, c.Name, c.ExpirationMonth, c.ExpirationYear,
		c.Country, c.Financing, c.Bank, nullString(in.Street1), nullString(in.Street2), nullString(in.City),
		nullString(in.State), nullString(in.PostalCode), nullString(in.PhoneNumber), nullString(in.Email),
		c.SecurityCodeCheck, nil, // created_at, set below
	}
	err = v.db.Write(ctx, func(tx *sqlstore.Tx) error {
		now, expires := sqlstore.Micros(tx.Now), sqlstore.Micros(tx.Now.Add(v.lifetime))
		cardArgs[23] = now
		if tx.Dialect() == sqlstore.Postgres {
			// One statement, one round trip on the writer connection.
			if _, err := tx.Exec(`WITH c AS (`+insertCard+`) `+insertTokenAfterCard,
				append(cardArgs, tokenID, codeCT, codeKey, clientIP, expires)...); err != nil {
				return fmt.Errorf("insert card and token: %w", err)
			}
		} else {
			if _, err := tx.Exec(insertCard, cardArgs...); err != nil {
				return fmt.Errorf("insert card: %w", err)
			}
			if _, err := tx.Exec(insertToken, tokenID, auth.AccountID, auth.Livemode, cardID,
				codeCT, codeKey, clientIP, now, expires); err != nil {
				return fmt.Errorf("insert token: %w", err)
			}
		}
		c.CreatedAt = kessai.Time{Time: tx.Now}
		t.CreatedAt = kessai.Time{Time: tx.Now}
		t.ExpiresAt = kessai.Time{Time: tx.Now.Add(v.lifetime)}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("vault: create token: %w", err)
	}
	return t, nil
}

// insertCard stores a card; its 24 parameters are cardArgs in CreateToken.
const insertCard = `INSERT INTO cards (id, account_id, livemode, number_ciphertext, key_id,
	fingerprint, brand, bin, last_digits, name, expiration_month, expiration_year,
	country, financing, bank, street1, street2, city, state, postal_code, phone_number, email,
	security_code_check, created_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)`

// insertToken stores a token.
const insertToken = `INSERT INTO tokens (id, account_id, livemode, card_id,
	security_code_ciphertext, key_id, client_ip, created_at, expires_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`

// insertTokenAfterCard is insertToken numbered to follow insertCard's
// parameters in one statement (PostgreSQL), reusing the card's id, account,
// mode and creation time.
const insertTokenAfterCard = `INSERT INTO tokens (id, account_id, livemode, card_id,
	security_code_ciphertext, key_id, client_ip, created_at, expires_at)
	VALUES ($25, $2, $3, $1, $26, $27, $28, $24, $29)`

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// tokenColumns are the columns of tokens that make a [kessai.Token] (the
// card's come after), in the order scanToken reads them; t is the alias.
const tokenColumns = `t.used, t.charge_status, t.client_ip, t.created_at, t.expires_at`

const tokenSelect = `SELECT ` + cardColumns + `, ` + tokenColumns + `, t.id, t.account_id, t.livemode
	FROM tokens t JOIN cards c ON c.id = t.card_id`

// scanToken reads a row of tokenSelect, and extra columns after it into
// extra.
func scanToken(sc scanner, extra ...any) (*kessai.Token, error) {
	t := &kessai.Token{Object: "token"}
	var created, expires int64
	c, err := scanCard(sc, append([]any{&t.Used, &t.ChargeStatus, &t.ClientIP, &created, &expires, &t.ID, &t.AccountID, &t.Livemode}, extra...)...)
	if err != nil {
		return nil, err
	}
	t.Card = c
	t.Location = "/tokens/" + t.ID
	t.CreatedAt = kessai.Time{Time: sqlstore.FromMicros(created)}
	t.ExpiresAt = kessai.Time{Time: sqlstore.FromMicros(expires)}
	return t, nil
}

// FindToken returns the token of the caller's account and mode with the
// given id, with its card, used or not and expired or not. Returns ENotFound
// "token <id> was not found" if there is none.
func (v *Vault) FindToken(ctx context.Context, auth *kessai.Auth, id string) (*kessai.Token, error) {
	t, _, err := v.PeekToken(ctx, auth, id)
	return t, err
}

// PeekToken returns a token of the caller's account and mode with its card,
// and the card's BIN, without using it: what the fraud screening reads
// before the charge's write. Returns ENotFound if there is no such token.
func (v *Vault) PeekToken(ctx context.Context, auth *kessai.Auth, id string) (*kessai.Token, string, error) {
	var bin string
	t, err := scanToken(v.db.QueryRowContext(ctx, `SELECT `+cardColumns+`, `+tokenColumns+`, t.id, t.account_id, t.livemode, c.bin
		FROM tokens t JOIN cards c ON c.id = t.card_id
		WHERE t.id = $1 AND t.account_id = $2 AND t.livemode = $3`, id, auth.AccountID, auth.Livemode), &bin)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", notFound("token", id)
	}
	if err != nil {
		return nil, "", fmt.Errorf("vault: find token: %w", err)
	}
	return t, bin, nil
}
