package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kessai/kessai"
)

// IdempotencyStore is the [kessai.IdempotencyStore] on a database. Claims go
// through the group-commit writer; a live record is read from the reader
// pool first, so that a replay costs no write. Several nodes may share the
// database: the claim is an INSERT … ON CONFLICT DO NOTHING, and taking over
// an expired or abandoned record an UPDATE guarded by its condition.
type IdempotencyStore struct {
	db *DB
}

var _ kessai.IdempotencyStore = (*IdempotencyStore)(nil)

// NewIdempotencyStore returns the idempotency store of db.
func NewIdempotencyStore(db *DB) *IdempotencyStore { return &IdempotencyStore{db: db} }

// sweepBatch bounds how many expired records one write transaction deletes.
const sweepBatch = 1000

// Claim implements [kessai.IdempotencyStore.Claim].
func (s *IdempotencyStore) Claim(ctx context.Context, k kessai.IdempotencyKey, requestHash string, ttl, lease time.Duration) (*kessai.IdempotencyRecord, bool, error) {
	now := s.db.Now()
	rec, err := s.find(ctx, s.db.QueryRowContext, k)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, false, fmt.Errorf("find idempotency key: %w", err)
	}
	if err == nil && live(rec, now, lease) {
		return rec, false, nil
	}
	claim := kessai.RandomString(20)
	var claimed bool
	err = s.db.Write(ctx, func(tx *Tx) error {
		claimed, rec = false, nil
		now, exp := Micros(tx.Now), Micros(tx.Now.Add(ttl))
		res, err := tx.Exec(`INSERT INTO idempotency_keys
			(account_id, livemode, idem_key, claim, request_hash, status, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, 0, $6, $7)
			ON CONFLICT (account_id, livemode, idem_key) DO NOTHING`,
			k.AccountID, k.Livemode, k.Key, claim, requestHash, now, exp)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			// Take over a record past its expiry, or a claim abandoned for
			// longer than its lease.
			res, err = tx.Exec(`UPDATE idempotency_keys
				SET claim = $4, request_hash = $5, status = 0, response = NULL, created_at = $6, expires_at = $7
				WHERE account_id = $1 AND livemode = $2 AND idem_key = $3
				AND (expires_at <= $6 OR (status = 0 AND created_at <= $8))`,
				k.AccountID, k.Livemode, k.Key, claim, requestHash, now, exp, Micros(tx.Now.Add(-lease)))
			if err != nil {
				return err
			}
			if n, err = res.RowsAffected(); err != nil {
				return err
			}
		}
		if n == 1 {
			claimed = true
			rec = &kessai.IdempotencyRecord{Claim: claim, RequestHash: requestHash,
				CreatedAt: FromMicros(now), ExpiresAt: FromMicros(exp)}
			return nil
		}
		rec, err = s.find(ctx, func(_ context.Context, q string, args ...any) *sql.Row { return tx.QueryRow(q, args...) }, k)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("claim idempotency key: %w", err)
	}
	return rec, claimed, nil
}

// live reports whether rec still holds its key at now: not expired, and not
// an unfinished claim older than lease.
func live(rec *kessai.IdempotencyRecord, now time.Time, lease time.Duration) bool {
	if !now.Before(rec.ExpiresAt) {
		return false
	}
	return rec.Status != 0 || now.Before(rec.CreatedAt.Add(lease))
}

func (s *IdempotencyStore) find(ctx context.Context, queryRow func(context.Context, string, ...any) *sql.Row, k kessai.IdempotencyKey) (*kessai.IdempotencyRecord, error) {
	var rec kessai.IdempotencyRecord
	var created, expires int64
	err := queryRow(ctx, `SELECT claim, request_hash, status, response, created_at, expires_at
		FROM idempotency_keys WHERE account_id = $1 AND livemode = $2 AND idem_key = $3`,
		k.AccountID, k.Livemode, k.Key).Scan(&rec.Claim, &rec.RequestHash, &rec.Status, &rec.Body, &created, &expires)
	if err != nil {
		return nil, err
	}
	rec.CreatedAt, rec.ExpiresAt = FromMicros(created), FromMicros(expires)
	return &rec, nil
}

// Finish implements [kessai.IdempotencyStore.Finish].
func (s *IdempotencyStore) Finish(ctx context.Context, k kessai.IdempotencyKey, claim string, status int, body []byte) error {
	if body == nil {
		body = []byte{}
	}
	var n int64
	err := s.db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE idempotency_keys SET status = $5, response = $6
			WHERE account_id = $1 AND livemode = $2 AND idem_key = $3 AND claim = $4 AND status = 0`,
			k.AccountID, k.Livemode, k.Key, claim, status, body)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("finish idempotency key: %w", err)
	}
	if n == 0 {
		return kessai.Errorf(kessai.EConflict, "idempotency key claim was lost")
	}
	return nil
}

// Release implements [kessai.IdempotencyStore.Release].
func (s *IdempotencyStore) Release(ctx context.Context, k kessai.IdempotencyKey, claim string) error {
	err := s.db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`DELETE FROM idempotency_keys
			WHERE account_id = $1 AND livemode = $2 AND idem_key = $3 AND claim = $4 AND status = 0`,
			k.AccountID, k.Livemode, k.Key, claim)
		return err
	})
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}

// DeleteExpired implements [kessai.IdempotencyStore.DeleteExpired]. It
// deletes in batches of 1,000, one write transaction each, so that it never
// holds the writer for long.
func (s *IdempotencyStore) DeleteExpired(ctx context.Context) (int64, error) {
	var total int64
	for {
		var n int64
		err := s.db.Write(ctx, func(tx *Tx) error {
			res, err := tx.Exec(`DELETE FROM idempotency_keys WHERE (account_id, livemode, idem_key) IN
				(SELECT account_id, livemode, idem_key FROM idempotency_keys WHERE expires_at <= $1 LIMIT $2)`,
				Micros(tx.Now), sweepBatch)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		total += n
		if err != nil {
			return total, fmt.Errorf("delete expired idempotency keys: %w", err)
		}
		if n < sweepBatch {
			return total, nil
		}
	}
}
