package kek

import (
	"fmt"
	"log/slog"

	"github.com/tink-crypto/tink-go/v2/core/registry"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// KMS returns the KEK held by a key-management service: keyURI names the key
// and client (HashiCorp Vault transit, AWS KMS, GCP KMS, or tink's fakekms in
// tests) reaches it. The ID is keyURI. Every Encrypt and Decrypt is a call to
// the service. Fails when the client does not support keyURI or cannot
// produce an AEAD for it.
func KMS(client registry.KMSClient, keyURI string) (KEK, error) {
	if !client.Supported(keyURI) {
		return nil, fmt.Errorf("kek: KMS client does not support %q", keyURI)
	}
	a, err := client.GetAEAD(keyURI)
	if err != nil {
		return nil, fmt.Errorf("kek: KMS key %q: %w", keyURI, err)
	}
	return &kms{uri: keyURI, aead: a}, nil
}

type kms struct {
	uri  string
	aead tink.AEAD
}

func (k *kms) ID() string { return k.uri }

func (k *kms) Encrypt(plaintext, associatedData []byte) ([]byte, error) {
	return k.aead.Encrypt(plaintext, associatedData)
}

func (k *kms) Decrypt(ciphertext, associatedData []byte) ([]byte, error) {
	return k.aead.Decrypt(ciphertext, associatedData)
}

// String returns the key URI.
func (k *kms) String() string { return "kek(" + k.uri + ")" }

// GoString returns the key URI.
func (k *kms) GoString() string { return k.String() }

// Format writes the key URI for every verb.
func (k *kms) Format(f fmt.State, _ rune) { fmt.Fprint(f, k.String()) }

// LogValue returns the key URI for log/slog.
func (k *kms) LogValue() slog.Value { return slog.StringValue(k.String()) }
