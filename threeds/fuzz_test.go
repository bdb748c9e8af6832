package threeds_test

import (
	"encoding/json"
	"testing"

	"github.com/kessai/kessai/threeds"
)

// fuzzDecoder checks a decoder on arbitrary input: it never panics, it
// fails only with an *Error whose code is a three-digit Erro code, the
// Erro built from that failure is valid, and a message it accepts
// survives encoding and decoding again.
func fuzzDecoder[T threeds.Message](f *testing.F, decode func([]byte) (T, error)) {
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decode(data)
		if err != nil {
			e, ok := err.(*threeds.Error)
			if !ok || len(e.Code) != 3 {
				t.Fatalf("error %T %v is not a protocol error", err, err)
			}
			var zero T
			if vErr := threeds.NewErro(nil, zero.Type(), threeds.ComponentDS, err).Validate(); vErr != nil && e.Erro == nil {
				t.Fatalf("Erro for %v is invalid: %v", err, vErr)
			}
			return
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := decode(b); err != nil {
			t.Fatalf("re-encoded message refused: %v\n%s", err, b)
		}
	})
}

func FuzzDecodeAReq(f *testing.F) { fuzzDecoder(f, threeds.DecodeAReq) }
func FuzzDecodeARes(f *testing.F) { fuzzDecoder(f, threeds.DecodeARes) }
func FuzzDecodeCReq(f *testing.F) { fuzzDecoder(f, threeds.DecodeCReq) }
func FuzzDecodeCRes(f *testing.F) { fuzzDecoder(f, threeds.DecodeCRes) }
func FuzzDecodeRReq(f *testing.F) { fuzzDecoder(f, threeds.DecodeRReq) }
func FuzzDecodeRRes(f *testing.F) { fuzzDecoder(f, threeds.DecodeRRes) }
func FuzzDecodePReq(f *testing.F) { fuzzDecoder(f, threeds.DecodePReq) }
func FuzzDecodePRes(f *testing.F) { fuzzDecoder(f, threeds.DecodePRes) }
func FuzzDecodeErro(f *testing.F) { fuzzDecoder(f, threeds.DecodeErro) }

// FuzzDecodeBrowser checks the browser form-field decoders.
func FuzzDecodeBrowser(f *testing.F) {
	f.Add("eyJtZXNzYWdlVHlwZSI6IkNSZXEifQ")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		for _, err := range []error{
			func() error { _, err := threeds.DecodeBrowserCReq(s); return err }(),
			func() error { _, err := threeds.DecodeBrowserCRes(s); return err }(),
			func() error { _, err := threeds.DecodeMethodData(s); return err }(),
		} {
			if _, ok := err.(*threeds.Error); err != nil && !ok {
				t.Fatalf("error %T %v is not a protocol error", err, err)
			}
		}
	})
}
