package iso8583msg_test

import (
	"bytes"
	"testing"

	"github.com/kessai/kessai/iso8583msg"
)

func addSeeds(f *testing.F, msgs []any) {
	for _, m := range msgs {
		raw, err := iso8583msg.Pack(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
}

// repack packs an unpacked message and the decoded struct again and unpacks
// the results: none of it may panic, whatever the input.
func repack(t *testing.T, raw []byte, decode func([]byte) (any, error)) {
	m, err := iso8583msg.Unpack(raw)
	if err != nil {
		return
	}
	_ = iso8583msg.Summary(m)
	if again, err := m.Pack(); err == nil {
		if m2, err := iso8583msg.Unpack(again); err == nil {
			_ = iso8583msg.Summary(m2)
		}
	}
	v, err := decode(raw)
	if err != nil {
		return
	}
	if again, err := iso8583msg.Pack(v); err == nil {
		if _, err := decode(again); err != nil {
			// A struct decoded from the wire packs into something that
			// decodes again, except where the input held values the
			// spec cannot hold (such as non-ASCII bytes): not a failure.
			t.Logf("re-decode: %v", err)
		}
	}
}

// FuzzUnpackRequest is the issuer's view: a request off the wire is
// unpacked, decoded by MTI, validated, packed and unpacked again.
func FuzzUnpackRequest(f *testing.F) {
	addSeeds(f, sampleRequests())
	f.Fuzz(func(t *testing.T, raw []byte) {
		repack(t, raw, func(b []byte) (any, error) {
			m, err := iso8583msg.Unpack(b)
			if err != nil {
				return nil, err
			}
			v, err := iso8583msg.DecodeRequest(m)
			if err != nil {
				return nil, err
			}
			if val, ok := v.(interface{ Validate() error }); ok {
				_ = val.Validate()
			}
			return v, nil
		})
	})
}

// FuzzUnpackResponse is the gateway's view: a response off the wire is
// unpacked, decoded by MTI, packed and unpacked again.
func FuzzUnpackResponse(f *testing.F) {
	addSeeds(f, sampleResponses())
	f.Fuzz(func(t *testing.T, raw []byte) {
		repack(t, raw, func(b []byte) (any, error) {
			m, err := iso8583msg.Unpack(b)
			if err != nil {
				return nil, err
			}
			_ = iso8583msg.MessageMatchKey(m)
			return iso8583msg.DecodeResponse(m)
		})
	})
}

// FuzzReadFrame reads frames from arbitrary bytes until an error.
func FuzzReadFrame(f *testing.F) {
	var buf bytes.Buffer
	for _, m := range sampleRequests() {
		raw, _ := iso8583msg.Pack(m)
		iso8583msg.WriteFrame(&buf, raw)
	}
	f.Add(buf.Bytes())
	f.Add([]byte{0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		for {
			frame, err := iso8583msg.ReadFrame(r)
			if err != nil {
				return
			}
			if len(frame) == 0 || len(frame) > iso8583msg.MaxFrame {
				t.Fatalf("frame of %d bytes", len(frame))
			}
		}
	})
}
