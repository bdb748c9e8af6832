package vault

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// dataKeys is one version of the card-data keyset, ready to use.
type dataKeys struct {
	aead      tink.AEAD
	primary   uint32
	keys      map[uint32]bool
	version   int64
	updatedAt time.Time
	// inflight counts encryptions under this version whose rows are not
	// committed yet; a rotation waits for it to drop to zero.
	inflight atomic.Int64
}

func newDataKeys(h *keyset.Handle, s *storedKeyset) (*dataKeys, error) {
	a, err := aead.New(h)
	if err != nil {
		return nil, fmt.Errorf("vault: card-data keyset: %w", err)
	}
	p, err := h.Primary()
	if err != nil {
		return nil, fmt.Errorf("vault: card-data keyset: %w", err)
	}
	k := &dataKeys{aead: a, primary: p.KeyID(), keys: map[uint32]bool{}, version: s.version, updatedAt: s.updatedAt}
	for _, info := range h.KeysetInfo().GetKeyInfo() {
		k.keys[info.GetKeyId()] = true
	}
	return k, nil
}

func (k *dataKeys) has(id uint32) bool { return k.keys[id] }

// tinkPrefixSize is the length of tink's ciphertext prefix: a version byte
// (0x01) and the 4-byte big-endian key ID.
const tinkPrefixSize = 5

var errNoKeyID = errors.New("vault: ciphertext has no tink key-ID prefix")

// keyIDOf returns the key ID in a ciphertext's tink prefix.
func keyIDOf(ct []byte) (uint32, error) {
	if len(ct) < tinkPrefixSize || ct[0] != 0x01 {
		return 0, errNoKeyID
	}
	return binary.BigEndian.Uint32(ct[1:tinkPrefixSize]), nil
}
