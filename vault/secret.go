package vault

import (
	"context"
	"fmt"
)

// secretAD is the associated data of a non-card secret: a fixed domain
// prefix (so that no card-data ciphertext, whose associated data is a card
// or token id, can stand in for one) followed by the caller's context.
func secretAD(ad []byte) []byte {
	return append([]byte("kessai/vault/secret/"), ad...)
}

// SealSecret encrypts a secret that is not card data, such as a webhook
// signing secret, under the primary key of the card-data keyset (tink
// AES-256-GCM, itself wrapped by the key-encryption key). ad binds the
// ciphertext to where it is kept (for a webhook secret: the account id, the
// mode and "webhook"); [Vault.OpenSecret] needs the same ad.
//
// A rotation keeps older keys in the keyset, so sealed secrets stay
// readable after it; [Vault.Reencrypt] does not rewrite them (a webhook
// secret is sealed under the newest key when it is next rolled).
func (v *Vault) SealSecret(_ context.Context, plaintext, ad []byte) ([]byte, error) {
	k := v.acquire()
	defer k.release()
	ct, err := k.aead.Encrypt(plaintext, secretAD(ad))
	if err != nil {
		return nil, fmt.Errorf("vault: seal secret: %w", err)
	}
	return ct, nil
}

// OpenSecret decrypts a ciphertext made by [Vault.SealSecret] with the same
// ad, reloading the keyset once if another node rotated it. Errors never
// contain the plaintext.
func (v *Vault) OpenSecret(ctx context.Context, ct, ad []byte) ([]byte, error) {
	return v.decrypt(ctx, ct, secretAD(ad))
}
