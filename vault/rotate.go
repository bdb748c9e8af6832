package vault

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kessai/kessai/sqlstore"
	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"
)

// rotateBatch is how many records one re-encryption transaction updates.
const rotateBatch = 200

// maxPasses bounds the passes of a re-encryption: records keep appearing
// under an old key only while some node still uses an old keyset.
const maxPasses = 5

// Rotate adds a new AES-256-GCM key to the card-data keyset, makes it the
// primary, stores the keyset, and then re-encrypts every card number and
// live security code that is under an older key ([Vault.Reencrypt]). New
// tokens are encrypted under the new key from the moment it is stored, and
// old ciphertexts decrypt throughout, so a running server keeps working.
// progress, if not nil, is called with the records done and the total after
// every batch. Returns ErrConcurrentRotation if another rotation stored the
// keyset first; an interrupted re-encryption is resumed by Reencrypt.
func (v *Vault) Rotate(ctx context.Context, progress func(done, total int)) error {
	if err := v.addPrimary(ctx); err != nil {
		return err
	}
	return v.Reencrypt(ctx, progress)
}

// PrimaryKeyID returns the tink ID of the key that encrypts new card data.
func (v *Vault) PrimaryKeyID() uint32 { return v.data.Load().primary }

// addPrimary stores the card-data keyset with a new primary key and
// switches this Vault to it, waiting for encryptions under the old primary
// to commit.
func (v *Vault) addPrimary(ctx context.Context) error {
	v.rotateMu.Lock()
	defer v.rotateMu.Unlock()
	s, err := v.readKeyset(ctx, KeysetData)
	if err != nil {
		return err
	}
	if s == nil {
		return errors.New("vault: rotate: card-data keyset is missing from the database")
	}
	h, err := v.unwrap(s)
	if err != nil {
		return err
	}
	m := keyset.NewManagerFromHandle(h)
	id, err := m.Add(aead.AES256GCMKeyTemplate())
	if err != nil {
		return fmt.Errorf("vault: rotate: add key: %w", err)
	}
	if err := m.SetPrimary(id); err != nil {
		return fmt.Errorf("vault: rotate: set primary: %w", err)
	}
	if h, err = m.Handle(); err != nil {
		return fmt.Errorf("vault: rotate: %w", err)
	}
	blob, err := v.wrap(KeysetData, h)
	if err != nil {
		return err
	}
	var updated time.Time
	err = v.db.Write(ctx, func(tx *sqlstore.Tx) error {
		res, err := tx.Exec(`UPDATE vault_keysets SET keyset = $1, version = version + 1, kek_id = $2, updated_at = $3
			WHERE name = $4 AND version = $5`, blob, v.kek.ID(), sqlstore.Micros(tx.Now), KeysetData, s.version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return ErrConcurrentRotation
		}
		updated = tx.Now
		return nil
	})
	if errors.Is(err, ErrConcurrentRotation) {
		return err
	}
	if err != nil {
		return fmt.Errorf("vault: rotate: store keyset: %w", err)
	}
	keys, err := newDataKeys(h, &storedKeyset{version: s.version + 1, updatedAt: updated})
	if err != nil {
		return err
	}
	v.reloadMu.Lock()
	old := v.data.Swap(keys)
	v.reloadMu.Unlock()
	v.log.Info("vault: rotated card-data keyset", "version", keys.version, "primary_key", keys.primary, "previous_primary_key", old.primary)
	// Rows encrypted under the old primary by CreateToken calls already
	// under way are committed before re-encryption starts.
	for old.inflight.Load() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
	return nil
}

// Reencrypt re-encrypts under the primary key every card number and every
// live security code that is under an older key, in batches of a few hundred
// rows per write transaction, and returns when none is left. It first
// reloads the keyset if another node rotated it, and destroys expired
// security codes rather than re-encrypting them. Records that other nodes
// create under an old key while they have not reloaded yet are caught by
// further passes, the last one at least two refresh intervals after the
// primary key changed. progress, if not nil, is called with the records done
// and the total. Fails if the database fails, a record does not decrypt, or
// records still appear under old keys after several passes.
func (v *Vault) Reencrypt(ctx context.Context, progress func(done, total int)) error {
	if err := v.Refresh(ctx); err != nil {
		return err
	}
	if _, err := v.Sweep(ctx); err != nil {
		return err
	}
	keys := v.data.Load()
	pending, err := v.pending(ctx, keys.primary)
	if err != nil {
		return err
	}
	done, total := 0, pending
	report := func() {
		if progress != nil {
			progress(done, max(total, done))
		}
	}
	report()
	for pass := 1; ; pass++ {
		keys = v.data.Load()
		if err := v.reencryptCards(ctx, keys, &done, report); err != nil {
			return err
		}
		if err := v.reencryptCodes(ctx, keys, &done, report); err != nil {
			return err
		}
		// Let nodes that had not reloaded the keyset do so before the
		// last pass.
		settle := 2 * v.refresh
		if wait := min(time.Until(keys.updatedAt.Add(settle)), settle); wait > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
		}
		left, err := v.pending(ctx, keys.primary)
		if err != nil {
			return err
		}
		if left == 0 {
			// Codes revealed or swept meanwhile needed no work.
			total = done
			report()
			v.log.Info("vault: re-encryption done", "records", done, "passes", pass, "primary_key", keys.primary)
			return nil
		}
		if pass >= maxPasses {
			return fmt.Errorf("vault: re-encrypt: %d records are still under old keys after %d passes; are all nodes refreshing their keyset?", left, pass)
		}
		total = done + left
		report()
	}
}

// Pending returns how many card numbers and live security codes are not
// under the primary key: the work left for [Vault.Reencrypt].
func (v *Vault) Pending(ctx context.Context) (int, error) {
	return v.pending(ctx, v.data.Load().primary)
}

func (v *Vault) pending(ctx context.Context, primary uint32) (int, error) {
	var cards, codes int
	if err := v.db.QueryRowContext(ctx, `SELECT count(*) FROM cards WHERE key_id <> $1`, int64(primary)).Scan(&cards); err != nil {
		return 0, fmt.Errorf("vault: count records to re-encrypt: %w", err)
	}
	if err := v.db.QueryRowContext(ctx, `SELECT count(*) FROM tokens
		WHERE security_code_ciphertext IS NOT NULL AND key_id <> $1`, int64(primary)).Scan(&codes); err != nil {
		return 0, fmt.Errorf("vault: count records to re-encrypt: %w", err)
	}
	return cards + codes, nil
}

// record is one ciphertext to re-encrypt.
type record struct {
	id    string
	ct    []byte
	keyID int64
}

// reencryptCards walks cards in id order and re-encrypts the numbers not
// under keys.primary.
func (v *Vault) reencryptCards(ctx context.Context, keys *dataKeys, done *int, report func()) error {
	return v.reencryptTable(ctx, keys, done, report,
		`SELECT id, number_ciphertext, key_id FROM cards WHERE id > $1 AND key_id <> $2 ORDER BY id LIMIT $3`,
		`UPDATE cards SET number_ciphertext = $1, key_id = $2 WHERE id = $3 AND key_id = $4`)
}

// reencryptCodes walks tokens in id order and re-encrypts the security codes
// not under keys.primary. The update matches the old key ID, so a code
// destroyed meanwhile stays destroyed.
func (v *Vault) reencryptCodes(ctx context.Context, keys *dataKeys, done *int, report func()) error {
	return v.reencryptTable(ctx, keys, done, report,
		`SELECT id, security_code_ciphertext, key_id FROM tokens
			WHERE id > $1 AND security_code_ciphertext IS NOT NULL AND key_id <> $2 ORDER BY id LIMIT $3`,
		`UPDATE tokens SET security_code_ciphertext = $1, key_id = $2 WHERE id = $3 AND key_id = $4`)
}

// reencryptTable runs one pass of re-encryption over a table: selectQ reads
// a batch after a cursor id, updateQ writes one record if its key is
// unchanged; done counts the records written. The row's id is the
// associated data.
func (v *Vault) reencryptTable(ctx context.Context, keys *dataKeys, done *int, report func(), selectQ, updateQ string) error {
	after := ""
	for {
		batch, err := v.readBatch(ctx, selectQ, after, keys.primary)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		after = batch[len(batch)-1].id
		for i := range batch {
			r := &batch[i]
			pt, err := v.decrypt(ctx, r.ct, []byte(r.id))
			if err != nil {
				return fmt.Errorf("vault: re-encrypt %s: %w", r.id, err)
			}
			r.ct, err = keys.aead.Encrypt(pt, []byte(r.id))
			clear(pt)
			if err != nil {
				return fmt.Errorf("vault: re-encrypt %s: %w", r.id, err)
			}
		}
		var n int
		err = v.db.Write(ctx, func(tx *sqlstore.Tx) error {
			n = 0
			for _, r := range batch {
				res, err := tx.Exec(updateQ, r.ct, int64(keys.primary), r.id, r.keyID)
				if err != nil {
					return err
				}
				if k, err := res.RowsAffected(); err != nil {
					return err
				} else {
					n += int(k)
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("vault: re-encrypt: store batch: %w", err)
		}
		*done += n
		report()
	}
}

func (v *Vault) readBatch(ctx context.Context, q, after string, primary uint32) ([]record, error) {
	rows, err := v.db.QueryContext(ctx, q, after, int64(primary), rotateBatch)
	if err != nil {
		return nil, fmt.Errorf("vault: re-encrypt: read batch: %w", err)
	}
	defer rows.Close()
	var batch []record
	for rows.Next() {
		var r record
		if err := rows.Scan(&r.id, &r.ct, &r.keyID); err != nil {
			return nil, fmt.Errorf("vault: re-encrypt: read batch: %w", err)
		}
		batch = append(batch, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("vault: re-encrypt: read batch: %w", err)
	}
	return batch, nil
}
