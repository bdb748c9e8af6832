// Package devpki is Kessai's development PKI: a local certificate authority
// kept in the data directory, the server certificates it issues for local
// names (localhost, 127.0.0.1, ::1), the client certificates it issues for
// mutual TLS between components, and the TLS settings every Kessai listener
// and client uses (TLS 1.2 or newer, AEAD ECDHE suites only).
//
// [EnsureCA] creates the CA once and reuses its files afterwards, so the CA
// file named in credentials.json stays valid across restarts. Leaf
// certificates are reissued when they expire or when the names they must
// carry change. Keys are ECDSA P-256, stored as PKCS #8 PEM files readable by
// their owner only (0600), in a directory made with mode 0700.
//
// The package is for development and tests: a production deployment brings
// certificates from its own PKI. It uses only the standard library.
package devpki
