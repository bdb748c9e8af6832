package kek

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/tink-crypto/tink-go/v2/aead/subtle"
	"github.com/tink-crypto/tink-go/v2/core/registry"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// KEK is a key-encryption key: an AEAD that wraps the vault's keysets, and
// the ID stored next to each keyset it wraps. Implementations must not reveal
// key material through Error, String or formatting.
type KEK interface {
	tink.AEAD
	// ID names the key, such as "file:/var/lib/kessai/kek" or a KMS key
	// URI. It is not secret.
	ID() string
}

// KeySize is the length in bytes of a local KEK (AES-256).
const KeySize = 32

// Open returns the KEK that spec names: "file:PATH" ([File]), "env:NAME"
// ([Env]), or the key URI of a KMS client registered with tink's
// registry.RegisterKMSClient ([KMS]). Fails when spec is empty, when the key
// cannot be loaded, or when no registered client supports the URI.
func Open(spec string) (KEK, error) {
	switch {
	case spec == "":
		return nil, errors.New("kek: no key-encryption key configured")
	case strings.HasPrefix(spec, "file:"):
		return File(strings.TrimPrefix(spec, "file:"))
	case strings.HasPrefix(spec, "env:"):
		return Env(strings.TrimPrefix(spec, "env:"))
	}
	c, err := registry.GetKMSClient(spec)
	if err != nil {
		return nil, fmt.Errorf("kek: no KMS client for %q (use file:PATH, env:NAME or a registered KMS key URI)", spec)
	}
	return KMS(c, spec)
}

// local is a KEK held in memory: AES-256-GCM from tink's subtle package.
type local struct {
	id   string
	aead tink.AEAD
}

// newLocal returns a local KEK from the base64 text of a 32-byte key. src
// describes where the text came from, for error messages; the text itself
// never appears in an error.
func newLocal(id, src, b64 string) (KEK, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return nil, fmt.Errorf("kek: %s does not hold valid base64", src)
	}
	if len(raw) != KeySize {
		return nil, fmt.Errorf("kek: %s holds %d bytes, want %d", src, len(raw), KeySize)
	}
	a, err := subtle.NewAESGCM(raw)
	clear(raw)
	if err != nil {
		return nil, fmt.Errorf("kek: %s: cannot create AES-GCM", src)
	}
	return &local{id: id, aead: a}, nil
}

func (k *local) ID() string { return k.id }

func (k *local) Encrypt(plaintext, associatedData []byte) ([]byte, error) {
	return k.aead.Encrypt(plaintext, associatedData)
}

func (k *local) Decrypt(ciphertext, associatedData []byte) ([]byte, error) {
	return k.aead.Decrypt(ciphertext, associatedData)
}

// String returns the ID, never the key.
func (k *local) String() string { return "kek(" + k.id + ")" }

// GoString returns the ID, never the key.
func (k *local) GoString() string { return k.String() }

// Format writes the ID for every verb.
func (k *local) Format(f fmt.State, _ rune) { fmt.Fprint(f, k.String()) }

// LogValue returns the ID for log/slog.
func (k *local) LogValue() slog.Value { return slog.StringValue(k.String()) }
