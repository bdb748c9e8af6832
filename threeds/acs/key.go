package acs

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/kessai/kessai/issuersim"
)

// KeySize is the size of the keys [LoadOrCreateKey] makes.
const KeySize = 32

// LoadOrCreateKey returns the card company's CAVV key kept in the file,
// creating it (32 random bytes, mode 0600, in a directory made with mode
// 0700) the first time. It fails when the file cannot be read or
// written, or holds fewer than 32 bytes.
func LoadOrCreateKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		if len(b) < KeySize {
			return nil, fmt.Errorf("acs: key file %s holds %d bytes, want at least %d", path, len(b), KeySize)
		}
		return b, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("acs: read key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("acs: key directory: %w", err)
	}
	key := make([]byte, KeySize)
	rand.Read(key)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) { // made by another process meanwhile
			return LoadOrCreateKey(path)
		}
		return nil, fmt.Errorf("acs: create key: %w", err)
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return nil, fmt.Errorf("acs: write key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("acs: write key: %w", err)
	}
	return key, nil
}

// ReadKey returns the CAVV key kept in the file, for a verifier that must
// not make one up: it fails when the file is missing or unreadable, or
// holds fewer than 32 bytes.
func ReadKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("acs: read key: %w", err)
	}
	if len(b) < KeySize {
		return nil, fmt.Errorf("acs: key file %s holds %d bytes, want at least %d", path, len(b), KeySize)
	}
	return b, nil
}

// Verifier returns the issuer host's 3-D Secure hook for a card company
// whose ACS uses key, for an issuer host running apart from the ACS; see
// [ACS.VerifyCAVV].
func Verifier(key []byte) func(context.Context, issuersim.ThreeDSData) string {
	a := &ACS{cfg: Config{Key: key}}
	return a.VerifyCAVV
}
