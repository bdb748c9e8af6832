package vault

import (
	"context"
	"encoding/base64"
	"fmt"

	"github.com/kessai/kessai/card"
)

// fingerprintSize is the length of a card fingerprint before base64.
const fingerprintSize = 32

// acquire returns the card-data keys to encrypt with, counted as in flight
// until release. It never returns a version that a rotation has already
// replaced and stopped waiting for.
func (v *Vault) acquire() *dataKeys {
	for {
		k := v.data.Load()
		k.inflight.Add(1)
		if v.data.Load() == k {
			return k
		}
		k.inflight.Add(-1)
	}
}

func (k *dataKeys) release() { k.inflight.Add(-1) }

// decrypt opens a card-data ciphertext. A key ID this node does not know
// makes it reload the keyset from the database once (another node rotated).
// Errors never contain the plaintext.
func (v *Vault) decrypt(ctx context.Context, ct, ad []byte) ([]byte, error) {
	id, err := keyIDOf(ct)
	if err != nil {
		return nil, err
	}
	k := v.data.Load()
	if !k.has(id) {
		if k, err = v.reload(ctx, &id); err != nil {
			return nil, err
		}
		if !k.has(id) {
			return nil, fmt.Errorf("vault: ciphertext is under key %d, which the card-data keyset does not hold", id)
		}
	}
	pt, err := k.aead.Decrypt(ct, ad)
	if err != nil {
		return nil, fmt.Errorf("vault: decrypt under key %d: %w", id, err)
	}
	return pt, nil
}

// fingerprint returns base64(HMAC-SHA256 PRF(number)), stable per number.
func (v *Vault) fingerprint(n card.Number) (string, error) {
	out, err := v.fp.ComputePrimaryPRF([]byte(n.Reveal()), fingerprintSize)
	if err != nil {
		return "", fmt.Errorf("vault: fingerprint: %w", err)
	}
	return base64.StdEncoding.EncodeToString(out), nil
}
