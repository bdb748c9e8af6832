package iso8583msg

import (
	"errors"
	"fmt"
	"strings"

	"github.com/moov-io/iso8583"
	moovErrors "github.com/moov-io/iso8583/errors"
)

// MalformedError reports a message that does not unpack or decode. It names
// the failing field path (such as "48.03"), never the message content.
type MalformedError struct {
	Field string // "" when unknown
}

// Error returns "iso8583: malformed message" with the field when known.
func (e *MalformedError) Error() string {
	if e.Field == "" {
		return "iso8583: malformed message"
	}
	return "iso8583: malformed message at DE" + e.Field
}

// ErrUnsupportedMTI is returned by [DecodeRequest] and [DecodeResponse] for a
// message type the network does not use.
var ErrUnsupportedMTI = errors.New("iso8583: unsupported message type")

// Pack returns the wire form (without the length header) of v, a pointer to
// one of the message structs. Fails when a field does not fit the spec,
// such as a terminal id longer than 8 characters.
func Pack(v any) ([]byte, error) {
	m := NewMessage()
	if err := m.Marshal(v); err != nil {
		return nil, fmt.Errorf("iso8583: marshal: %w", err)
	}
	raw, err := m.Pack()
	if err != nil {
		return nil, fmt.Errorf("iso8583: pack: %w", err)
	}
	return raw, nil
}

// Unpack parses a message. It fails with a *MalformedError, which does not
// keep the raw bytes (they may hold card data).
func Unpack(raw []byte) (*iso8583.Message, error) {
	m := NewMessage()
	if err := m.Unpack(raw); err != nil {
		var ue *moovErrors.UnpackError
		if errors.As(err, &ue) {
			ids := ue.FieldIDs()
			var path []string
			for _, id := range ids {
				if id != "" {
					path = append(path, id)
				}
			}
			return nil, &MalformedError{Field: strings.Join(path, ".")}
		}
		return nil, &MalformedError{}
	}
	return m, nil
}

// Decode copies the fields of m into v, a pointer to a message struct. Fails
// with a *MalformedError when a field does not convert.
func Decode(m *iso8583.Message, v any) (err error) {
	defer func() {
		// A decoding bug in a dependency must not take a connection down.
		if r := recover(); r != nil {
			err = &MalformedError{}
		}
	}()
	if err := m.Unmarshal(v); err != nil {
		return &MalformedError{}
	}
	return nil
}

// MTI returns the message type of m, or "" when it has none.
func MTI(m *iso8583.Message) string {
	s, _ := m.GetMTI()
	return s
}

// DecodeRequest decodes a request the issuer receives into its struct:
// *CardRequest (0100, 0101, 0200, 0201), *CaptureAdvice (0220, 0221),
// *ReversalRequest (0400, 0401) or *NetworkRequest (0800). Fails with
// [ErrUnsupportedMTI] for other types and a *MalformedError for bad fields.
func DecodeRequest(m *iso8583.Message) (any, error) {
	var v any
	switch MTI(m) {
	case MTIAuthorization, MTIAuthorizationRepeat, MTIFinancial, MTIFinancialRepeat:
		v = new(CardRequest)
	case MTICaptureAdvice, MTICaptureAdviceRepeat:
		v = new(CaptureAdvice)
	case MTIReversal, MTIReversalRepeat:
		v = new(ReversalRequest)
	case MTINetwork:
		v = new(NetworkRequest)
	default:
		return nil, ErrUnsupportedMTI
	}
	if err := Decode(m, v); err != nil {
		return nil, err
	}
	return v, nil
}

// DecodeResponse decodes a response the gateway receives into its struct:
// *CardResponse (0110, 0210), *CaptureAdviceResponse (0230),
// *ReversalResponse (0410) or *NetworkResponse (0810). Fails like
// [DecodeRequest].
func DecodeResponse(m *iso8583.Message) (any, error) {
	var v any
	switch MTI(m) {
	case MTIAuthorizationResponse, MTIFinancialResponse:
		v = new(CardResponse)
	case MTICaptureAdviceResponse:
		v = new(CaptureAdviceResponse)
	case MTIReversalResponse:
		v = new(ReversalResponse)
	case MTINetworkResponse:
		v = new(NetworkResponse)
	default:
		return nil, ErrUnsupportedMTI
	}
	if err := Decode(m, v); err != nil {
		return nil, err
	}
	return v, nil
}

// MatchKey returns the key that pairs a request with its response: the MTI
// class, the terminal id and the STAN. A 0100 and its 0110 have the same
// key; a 0400 with the same STAN has another.
func MatchKey(mti, terminalID, stan string) string {
	return string([]byte{Class(mti)}) + "|" + terminalID + "|" + stan
}

// MessageMatchKey returns [MatchKey] of an unpacked message.
func MessageMatchKey(m *iso8583.Message) string {
	tid, _ := m.GetString(41)
	stan, _ := m.GetString(11)
	return MatchKey(MTI(m), tid, stan)
}
