package kek

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// File returns the KEK in the key file at path, creating the file with a
// fresh random key (mode 0600, its directory 0700) when it does not exist.
// The ID is "file:" and the absolute path. Fails when the file is not a
// regular file, when group or others have any permission on it, or when it
// does not hold the base64 of exactly 32 bytes.
//
// Back the file up together with the database: without it the vault's
// keysets, and so every stored card, cannot be decrypted.
func File(path string) (KEK, error) {
	if path == "" {
		return nil, errors.New("kek: empty key file path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("kek: key file %s: %w", path, err)
	}
	if err := create(abs); err != nil {
		return nil, err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("kek: key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("kek: key file %s is not a regular file", abs)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("kek: key file %s has mode %04o; group and others must have no access (chmod 600 %s)", abs, perm, abs)
	}
	b, err := os.ReadFile(abs)
	if err != nil {
		return nil, fmt.Errorf("kek: key file: %w", err)
	}
	defer clear(b)
	return newLocal("file:"+abs, "key file "+abs, string(b))
}

// create writes a new key file at path unless one exists. The key is written
// to a temporary file that is then hard-linked into place, so that a
// concurrent reader never sees a partial file and two processes starting at
// once agree on one key.
func create(path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("kek: key file: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("kek: create key file: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".kek-*") // mode 0600
	if err != nil {
		return fmt.Errorf("kek: create key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	key := make([]byte, KeySize)
	rand.Read(key)
	text := []byte(base64.StdEncoding.EncodeToString(key) + "\n")
	clear(key)
	_, err = tmp.Write(text)
	clear(text)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("kek: write key file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("kek: create key file: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
