package vault

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kessai/kessai/sqlstore"
	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/prf"
	tinkpb "github.com/tink-crypto/tink-go/v2/proto/tink_go_proto"
)

// The names of the vault's keysets in vault_keysets.
const (
	KeysetData        = "card-data"
	KeysetFingerprint = "fingerprint"
)

// ErrConcurrentRotation is returned by [Vault.Rotate] when the keyset was
// changed by someone else between reading and storing it.
var ErrConcurrentRotation = errors.New("vault: keyset changed concurrently (another rotation?); retry")

// storedKeyset is a row of vault_keysets.
type storedKeyset struct {
	name      string
	version   int64
	kekID     string
	blob      []byte
	updatedAt time.Time
}

// keysetAD is the associated data binding an encrypted keyset to its name,
// so that one keyset's row cannot stand in for another's.
func keysetAD(name string) []byte { return []byte("kessai/vault/keyset/" + name) }

// readKeyset returns the stored keyset, or nil if there is none.
func (v *Vault) readKeyset(ctx context.Context, name string) (*storedKeyset, error) {
	s := &storedKeyset{name: name}
	var upd int64
	err := v.db.QueryRowContext(ctx,
		`SELECT version, kek_id, keyset, updated_at FROM vault_keysets WHERE name = $1`, name,
	).Scan(&s.version, &s.kekID, &s.blob, &upd)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("vault: read keyset %q: %w", name, err)
	}
	s.updatedAt = sqlstore.FromMicros(upd)
	return s, nil
}

// unwrap decrypts a stored keyset with the KEK.
func (v *Vault) unwrap(s *storedKeyset) (*keyset.Handle, error) {
	h, err := keyset.ReadWithAssociatedData(keyset.NewBinaryReader(bytes.NewReader(s.blob)), v.kek, keysetAD(s.name))
	if err != nil {
		return nil, fmt.Errorf("vault: cannot decrypt keyset %q with key-encryption key %q (it was stored under %q): wrong key-encryption key, or a damaged keyset: %w",
			s.name, v.kek.ID(), s.kekID, err)
	}
	return h, nil
}

// wrap encrypts a keyset with the KEK.
func (v *Vault) wrap(name string, h *keyset.Handle) ([]byte, error) {
	var buf bytes.Buffer
	if err := h.WriteWithAssociatedData(keyset.NewBinaryWriter(&buf), v.kek, keysetAD(name)); err != nil {
		return nil, fmt.Errorf("vault: encrypt keyset %q with key-encryption key %q: %w", name, v.kek.ID(), err)
	}
	return buf.Bytes(), nil
}

// loadOrCreate returns the named keyset, creating it from tmpl if the
// database has none. When two nodes start at once, both read the one that
// was stored first.
func (v *Vault) loadOrCreate(ctx context.Context, name string, tmpl *tinkpb.KeyTemplate) (*keyset.Handle, *storedKeyset, error) {
	s, err := v.readKeyset(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	if s == nil {
		h, err := keyset.NewHandle(tmpl)
		if err != nil {
			return nil, nil, fmt.Errorf("vault: new keyset %q: %w", name, err)
		}
		blob, err := v.wrap(name, h)
		if err != nil {
			return nil, nil, err
		}
		var created bool
		err = v.db.Write(ctx, func(tx *sqlstore.Tx) error {
			res, err := tx.Exec(`INSERT INTO vault_keysets (name, version, kek_id, keyset, updated_at)
				VALUES ($1, 1, $2, $3, $4) ON CONFLICT (name) DO NOTHING`,
				name, v.kek.ID(), blob, sqlstore.Micros(tx.Now))
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			created = n == 1
			return err
		})
		if err != nil {
			return nil, nil, fmt.Errorf("vault: store keyset %q: %w", name, err)
		}
		if created {
			v.log.Info("vault: created keyset", "keyset", name, "kek", v.kek.ID())
		}
		if s, err = v.readKeyset(ctx, name); err != nil {
			return nil, nil, err
		}
		if s == nil {
			return nil, nil, fmt.Errorf("vault: keyset %q vanished after it was stored", name)
		}
	}
	h, err := v.unwrap(s)
	if err != nil {
		return nil, nil, err
	}
	if s.kekID != v.kek.ID() {
		v.log.Info("vault: keyset was stored under another key-encryption key ID and opened fine",
			"keyset", name, "stored_kek", s.kekID, "kek", v.kek.ID())
	}
	return h, s, nil
}

// loadFingerprint loads (or creates) the fingerprint PRF keyset.
func (v *Vault) loadFingerprint(ctx context.Context) error {
	h, _, err := v.loadOrCreate(ctx, KeysetFingerprint, prf.HMACSHA256PRFKeyTemplate())
	if err != nil {
		return err
	}
	set, err := prf.NewPRFSet(h)
	if err != nil {
		return fmt.Errorf("vault: fingerprint keyset: %w", err)
	}
	v.fp = set
	return nil
}

// loadData loads (or creates) the card-data AEAD keyset.
func (v *Vault) loadData(ctx context.Context) error {
	h, s, err := v.loadOrCreate(ctx, KeysetData, aead.AES256GCMKeyTemplate())
	if err != nil {
		return err
	}
	keys, err := newDataKeys(h, s)
	if err != nil {
		return err
	}
	v.data.Store(keys)
	return nil
}

// Refresh reloads the card-data keyset if the database holds a newer version
// than this Vault (another node rotated it). Fails if the database fails or
// the new keyset cannot be decrypted.
func (v *Vault) Refresh(ctx context.Context) error {
	var version int64
	err := v.db.QueryRowContext(ctx, `SELECT version FROM vault_keysets WHERE name = $1`, KeysetData).Scan(&version)
	if err != nil {
		return fmt.Errorf("vault: read keyset version: %w", err)
	}
	if version <= v.data.Load().version {
		return nil
	}
	_, err = v.reload(ctx, nil)
	return err
}

// reload reads the card-data keyset from the database and installs it if it
// is newer than the one in use. When want is not nil and the keyset in use
// already has that key ID (another goroutine reloaded first), the database
// is not read. Returns the keys in use afterwards.
func (v *Vault) reload(ctx context.Context, want *uint32) (*dataKeys, error) {
	v.reloadMu.Lock()
	defer v.reloadMu.Unlock()
	cur := v.data.Load()
	if want != nil && cur.has(*want) {
		return cur, nil
	}
	s, err := v.readKeyset(ctx, KeysetData)
	if err != nil {
		return cur, err
	}
	if s == nil {
		return cur, errors.New("vault: card-data keyset is missing from the database")
	}
	if s.version <= cur.version {
		return cur, nil
	}
	h, err := v.unwrap(s)
	if err != nil {
		return cur, err
	}
	keys, err := newDataKeys(h, s)
	if err != nil {
		return cur, err
	}
	v.data.Store(keys)
	v.log.Info("vault: reloaded card-data keyset", "version", keys.version, "primary_key", keys.primary)
	return keys, nil
}
