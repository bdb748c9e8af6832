package vault

import (
	"testing"
	"time"

	"github.com/kessai/kessai/card"
	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/prf"
)

// BenchmarkTokenCrypto measures the in-memory work of one token without the
// database: parsing, the fingerprint PRF and two AES-256-GCM encryptions.
func BenchmarkTokenCrypto(b *testing.B) {
	h, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		b.Fatal(err)
	}
	keys, err := newDataKeys(h, &storedKeyset{version: 1})
	if err != nil {
		b.Fatal(err)
	}
	fh, _ := keyset.NewHandle(prf.HMACSHA256PRFKeyTemplate())
	fp, _ := prf.NewPRFSet(fh)
	v := &Vault{fp: fp}
	v.data.Store(keys)
	raw := &card.RawInput{Name: "A B", Number: "4242424242424242", SecurityCode: "123", ExpirationMonth: "12", ExpirationYear: "2035"}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		in, err := raw.Parse(now)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := v.fingerprint(in.Number); err != nil {
			b.Fatal(err)
		}
		k := v.acquire()
		k.aead.Encrypt([]byte(in.Number.Reveal()), []byte("card_test_0123456789012345678"))
		k.aead.Encrypt([]byte(in.SecurityCode.Reveal()), []byte("tokn_test_0123456789012345678"))
		k.release()
	}
}
