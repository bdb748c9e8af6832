// Package vault is Kessai's card vault: the only code that holds a card
// number or a security code in clear. It implements [kessai.TokenService]
// (tokenization for the API) and gives the charge service the calls it needs
// to use a token and to reveal card data to the card network.
//
// # Keys
//
// Card data is encrypted with tink: an AES-256-GCM keyset ("card-data") whose
// ciphertexts start with tink's 5-byte prefix (0x01 and the big-endian key
// ID), so a ciphertext names its key and is never trial-decrypted. Card
// fingerprints come from a second keyset ("fingerprint"): an HMAC-SHA256 PRF
// over the digits, base64 of 32 bytes, stable per number. Both keysets live
// in the vault_keysets table encrypted under a key-encryption key (package
// [github.com/kessai/kessai/vault/kek]) and are created on the first start.
// The KEK is used only to load, reload and rotate keysets, never per record;
// tink primitives are built once per keyset version, so a token costs one
// HMAC and one or two AES-GCM encryptions in memory.
//
// The SQL lives in this package, against [sqlstore.DB]: the tables
// vault_keysets, cards and tokens belong to the vault.
//
// # Tokens
//
// A token is single use and lives [DefaultTokenLifetime] (30 minutes) unless
// [Config.TokenLifetime] says otherwise. Creating one writes a card row (the
// number encrypted with the card id as associated data) and a token row (the
// security code, if given, encrypted with the token id as associated data)
// in one write transaction. The security code is kept only until the first
// reveal to the network ([Vault.RevealToken]) or the token's expiry, when
// [Vault.Sweep] sets it to NULL.
//
// # Rotation and several nodes
//
// [Vault.Rotate] adds a new primary key to the card-data keyset, stores it
// (vault_keysets.version grows by one) and re-encrypts every card number and
// every live security code in batches, while tokens keep being created. Old
// keys stay in the keyset, so old ciphertexts decrypt throughout. Each row
// records its key_id, so progress is countable ([Vault.Pending]) and an
// interrupted run resumes with [Vault.Reencrypt].
//
// Other nodes learn of a rotation in two ways: a ciphertext under a key ID
// they do not know makes them reload the keyset from the database once, and
// [Vault.Run] checks the keyset version every [Config.RefreshInterval]. A
// rotation waits two refresh intervals after switching the primary key and
// then makes a final pass, so that tokens created meanwhile by nodes that had
// not reloaded yet are re-encrypted too.
//
// The fingerprint keyset is never rotated: a new key would change every
// fingerprint.
package vault
