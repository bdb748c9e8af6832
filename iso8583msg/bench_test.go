package iso8583msg_test

import (
	"testing"

	"github.com/kessai/kessai/iso8583msg"
)

// BenchmarkPackAuthorization measures building the wire form of a 0100.
func BenchmarkPackAuthorization(b *testing.B) {
	req := sampleRequests()[0]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := iso8583msg.Pack(req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnpackAuthorization measures reading a 0100 into its struct.
func BenchmarkUnpackAuthorization(b *testing.B) {
	raw, err := iso8583msg.Pack(sampleRequests()[0])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		m, err := iso8583msg.Unpack(raw)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := iso8583msg.DecodeRequest(m); err != nil {
			b.Fatal(err)
		}
	}
}
