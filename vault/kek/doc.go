// Package kek provides the vault's key-encryption keys (KEKs): the keys that
// wrap the vault's tink keysets when they are stored in the database. A KEK
// never encrypts card data itself, so it is used only when the vault starts,
// reloads a keyset or rotates one, never once per record.
//
// A [KEK] is a [tink.AEAD] plus an ID, the value stored in the kek_id column
// of vault_keysets next to each keyset it wraps. Three kinds exist:
//
//   - [File]: a local key file of 32 random bytes in base64, generated on
//     first use with mode 0600. A file readable by group or others is refused.
//   - [Env]: 32 bytes in base64 from an environment variable whose name the
//     caller chooses.
//   - [KMS]: a key held by a remote key-management service, through tink's
//     [registry.KMSClient] interface.
//
// [Open] picks one from a single configuration string: "file:PATH",
// "env:NAME", or the key URI of a registered KMS client.
//
// # Adding HashiCorp Vault transit or a cloud KMS
//
// The tink integration modules (github.com/tink-crypto/tink-go-hcvault/v2,
// tink-go-awskms/v3, tink-go-gcpkms/v2) each return a [registry.KMSClient].
// Import one in cmd/kessai, behind a build tag so the default binary does not
// carry its dependencies, and either pass its client to [KMS] or register it
// and let [Open] find it by the URI's scheme:
//
//	c, err := hcvault.NewClient("hcvault://vault.internal:8200/", tlsConfig, token)
//	registry.RegisterKMSClient(c)
//	k, err := kek.Open("hcvault://vault.internal:8200/transit/keys/kessai")
//
// Nothing else changes: the vault only sees the [KEK] interface. The KMS is
// called once per keyset at start-up and once per rotation.
//
// Key material never appears in an error, a log line or a formatted value:
// every KEK prints as its ID.
package kek
