package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kessai/kessai"
)

// The 3-D Secure authentications and their raw messages (migration 00010).
// The CAVV is stored only as a ciphertext the caller sealed: the store
// never sees it in clear.

const authCols = `id, charge_id, account_id, livemode, version, state, flow, message_version, server_trans_id,
	ds_trans_id, acs_trans_id, method_url, method_done, comp_ind, acs_url, trans_status, trans_status_reason, eci,
	cavv_ciphertext, challenge_cancel, error_code, error_detail, display, deadline, created_at, updated_at`

func authArgs(a *kessai.Authentication, cavv []byte) []any {
	var ct any
	if cavv != nil {
		ct = cavv
	}
	return []any{a.ID, a.ChargeID, a.AccountID, a.Livemode, a.Version, string(a.State), a.Flow, a.MessageVersion, a.ServerTransID,
		a.DSTransID, a.ACSTransID, a.MethodURL, a.MethodDone, a.CompInd, a.ACSURL, a.TransStatus, a.TransStatusReason, a.ECI,
		ct, a.ChallengeCancel, a.ErrorCode, a.ErrorDetail, a.Display, Micros(a.Deadline), Micros(a.CreatedAt), Micros(a.UpdatedAt)}
}

// scanAuthentication reads a row of authCols; it returns the sealed CAVV
// beside the record (nil when none).
func scanAuthentication(r rowScanner) (*kessai.Authentication, []byte, error) {
	a := &kessai.Authentication{}
	var state string
	var cavv []byte
	var deadline, created, updated int64
	err := r.Scan(&a.ID, &a.ChargeID, &a.AccountID, &a.Livemode, &a.Version, &state, &a.Flow, &a.MessageVersion, &a.ServerTransID,
		&a.DSTransID, &a.ACSTransID, &a.MethodURL, &a.MethodDone, &a.CompInd, &a.ACSURL, &a.TransStatus, &a.TransStatusReason, &a.ECI,
		&cavv, &a.ChallengeCancel, &a.ErrorCode, &a.ErrorDetail, &a.Display, &deadline, &created, &updated)
	if err != nil {
		return nil, nil, err
	}
	a.State = kessai.AuthenticationState(state)
	a.Deadline, a.CreatedAt, a.UpdatedAt = FromMicros(deadline), FromMicros(created), FromMicros(updated)
	return a, cavv, nil
}

// InsertAuthentication stores a new authentication with Version 1 and
// CreatedAt and UpdatedAt tx.Now. Fails if its id or threeDSServerTransID
// exists.
func (tx *Tx) InsertAuthentication(a *kessai.Authentication) error {
	a.Version, a.CreatedAt, a.UpdatedAt = 1, tx.Now, tx.Now
	args := authArgs(a, nil)
	if _, err := tx.Exec(`INSERT INTO threeds_authentications (`+authCols+`) VALUES (`+placeholders(1, len(args))+`)`, args...); err != nil {
		return fmt.Errorf("insert authentication: %w", err)
	}
	return nil
}

// UpdateAuthentication stores every field of a over the stored
// authentication of the same version, with cavv (the sealed CAVV; nil
// keeps the stored one), then increments a.Version and sets UpdatedAt.
// Returns EConflict when it changed since a was read, ENotFound when there
// is none.
func (tx *Tx) UpdateAuthentication(a *kessai.Authentication, cavv []byte) error {
	old := a.Version
	a.Version, a.UpdatedAt = old+1, tx.Now
	args := authArgs(a, cavv)
	// cavv_ciphertext is the 19th column: a nil argument keeps it.
	res, err := tx.Exec(`UPDATE threeds_authentications SET (`+authCols+`) = (`+placeholders(1, 18)+`,
		COALESCE($19, cavv_ciphertext), `+placeholders(20, len(args)-19)+`) WHERE id = $1 AND version = $`+fmt.Sprint(len(args)+1), append(args, old)...)
	if err != nil {
		a.Version = old
		return fmt.Errorf("update authentication: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		a.Version = old
		var exists int
		if err := tx.QueryRow(`SELECT count(*) FROM threeds_authentications WHERE id = $1`, a.ID).Scan(&exists); err != nil {
			return fmt.Errorf("update authentication: %w", err)
		}
		if exists == 0 {
			return kessai.NotFound("authentication", a.ID)
		}
		return kessai.Errorf(kessai.EConflict, "authentication %s was changed by another request", a.ID)
	}
	return nil
}

// AddAuthenticationMessages appends msgs to their authentications' message
// logs, numbering them after the messages already stored.
func (tx *Tx) AddAuthenticationMessages(msgs ...*kessai.AuthenticationMessage) error {
	for _, m := range msgs {
		if m.CreatedAt.IsZero() {
			m.CreatedAt = tx.Now
		}
		_, err := tx.Exec(`INSERT INTO threeds_messages (authentication_id, seq, type, inbound, body, created_at)
			VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM threeds_messages WHERE authentication_id = $1), $2, $3, $4, $5)`,
			m.AuthenticationID, m.Type, m.Inbound, string(m.Body), Micros(m.CreatedAt))
		if err != nil {
			return fmt.Errorf("add authentication message: %w", err)
		}
	}
	return nil
}

// FindAuthentication returns an authentication by id, in tx, with its
// sealed CAVV. Returns ENotFound.
func (tx *Tx) FindAuthentication(id string) (*kessai.Authentication, []byte, error) {
	return authOrNotFound(scanAuthentication(tx.QueryRow(`SELECT `+authCols+` FROM threeds_authentications WHERE id = $1`, id)))
}

// FindAuthentication returns an authentication by id with its sealed CAVV.
// Returns ENotFound.
func (db *DB) FindAuthentication(ctx context.Context, id string) (*kessai.Authentication, []byte, error) {
	return authOrNotFound(scanAuthentication(db.QueryRowContext(ctx, `SELECT `+authCols+` FROM threeds_authentications WHERE id = $1`, id)))
}

// FindAuthenticationByTransID returns the authentication of a
// threeDSServerTransID with its sealed CAVV. Returns ENotFound.
func (db *DB) FindAuthenticationByTransID(ctx context.Context, transID string) (*kessai.Authentication, []byte, error) {
	return authOrNotFound(scanAuthentication(db.QueryRowContext(ctx, `SELECT `+authCols+` FROM threeds_authentications WHERE server_trans_id = $1`, transID)))
}

// FindChargeAuthentication returns the latest authentication of a charge
// with its sealed CAVV. Returns ENotFound.
func (db *DB) FindChargeAuthentication(ctx context.Context, chargeID string) (*kessai.Authentication, []byte, error) {
	return authOrNotFound(scanAuthentication(db.QueryRowContext(ctx, `SELECT `+authCols+` FROM threeds_authentications
		WHERE charge_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`, chargeID)))
}

func authOrNotFound(a *kessai.Authentication, cavv []byte, err error) (*kessai.Authentication, []byte, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, kessai.Errorf(kessai.ENotFound, "authentication was not found")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("find authentication: %w", err)
	}
	return a, cavv, nil
}

// OverdueAuthentications returns up to limit open authentications whose
// deadline is at or before now, oldest deadline first.
func (db *DB) OverdueAuthentications(ctx context.Context, now time.Time, limit int) ([]*kessai.Authentication, error) {
	rows, err := db.QueryContext(ctx, `SELECT `+authCols+` FROM threeds_authentications
		WHERE state IN ('pending', 'method_pending', 'challenge_required', 'in_challenge') AND deadline <= $1
		ORDER BY deadline, id LIMIT $2`, Micros(now), limit)
	if err != nil {
		return nil, fmt.Errorf("overdue authentications: %w", err)
	}
	defer rows.Close()
	var out []*kessai.Authentication
	for rows.Next() {
		a, _, err := scanAuthentication(rows)
		if err != nil {
			return nil, fmt.Errorf("overdue authentications: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AuthenticationMessages returns the stored messages of an authentication
// in order.
func (db *DB) AuthenticationMessages(ctx context.Context, id string) ([]*kessai.AuthenticationMessage, error) {
	rows, err := db.QueryContext(ctx, `SELECT type, inbound, body, created_at FROM threeds_messages
		WHERE authentication_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, fmt.Errorf("authentication messages: %w", err)
	}
	defer rows.Close()
	var out []*kessai.AuthenticationMessage
	for rows.Next() {
		m := &kessai.AuthenticationMessage{AuthenticationID: id}
		var body string
		var at int64
		if err := rows.Scan(&m.Type, &m.Inbound, &body, &at); err != nil {
			return nil, fmt.Errorf("authentication messages: %w", err)
		}
		m.Body, m.CreatedAt = []byte(body), FromMicros(at)
		out = append(out, m)
	}
	return out, rows.Err()
}

// SweepThreeDSMessages deletes up to limit of the raw 3-D Secure messages
// recorded before before and returns how many it deleted. The
// authentication records (state, ECI, sealed CAVV) stay: they are the
// charge's evidence; the messages hold the cardholder's personal data
// (addresses, email, IP, browser) and are kept only for the retention.
func (db *DB) SweepThreeDSMessages(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int64
	err := db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`DELETE FROM threeds_messages WHERE (authentication_id, seq) IN
			(SELECT authentication_id, seq FROM threeds_messages WHERE created_at < $1 LIMIT $2)`, Micros(before), limit)
		if err != nil {
			return fmt.Errorf("sweep 3-D Secure messages: %w", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
}
