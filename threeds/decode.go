package threeds

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// MaxMessageSize is the largest message the decoders read, in bytes.
const MaxMessageSize = 256 << 10

// Decode reads any message: it checks that data is one JSON object with
// no duplicate element (204) and no element sent as "" or null (203),
// that messageType is known (201 when missing, 101 when unknown) and
// messageVersion supported (201, 102), then decodes and validates it
// ([Message.Validate]). Unknown elements are ignored. On failure it
// returns the *Error to answer with and, when the message could be read
// that far, its header (for [NewErro]); otherwise a nil Message.
func Decode(data []byte) (Message, error) {
	h, err := peek(data)
	if err != nil {
		return messageWith(h), err
	}
	m := newMessage(h.MessageType)
	if m == nil {
		return nil, Errorf(CodeMessageNotRecognised, "messageType", "The message type is not recognised.")
	}
	if err := unmarshal(data, m); err != nil {
		return messageWith(h), err
	}
	return m, m.Validate()
}

// DecodeAReq is [Decode] for a message that must be an AReq (else 101).
func DecodeAReq(data []byte) (*AReq, error) { return decodeAs[*AReq](data) }

// DecodeARes is [Decode] for a message that must be an ARes. An Erro
// received instead comes back as its *Error (with Erro set).
func DecodeARes(data []byte) (*ARes, error) { return decodeAs[*ARes](data) }

// DecodeCReq is [Decode] for a CReq.
func DecodeCReq(data []byte) (*CReq, error) { return decodeAs[*CReq](data) }

// DecodeCRes is [Decode] for a CRes (or an Erro, as its *Error).
func DecodeCRes(data []byte) (*CRes, error) { return decodeAs[*CRes](data) }

// DecodeRReq is [Decode] for an RReq.
func DecodeRReq(data []byte) (*RReq, error) { return decodeAs[*RReq](data) }

// DecodeRRes is [Decode] for an RRes (or an Erro, as its *Error).
func DecodeRRes(data []byte) (*RRes, error) { return decodeAs[*RRes](data) }

// DecodePReq is [Decode] for a PReq.
func DecodePReq(data []byte) (*PReq, error) { return decodeAs[*PReq](data) }

// DecodePRes is [Decode] for a PRes (or an Erro, as its *Error).
func DecodePRes(data []byte) (*PRes, error) { return decodeAs[*PRes](data) }

// DecodeErro is [Decode] for an Erro.
func DecodeErro(data []byte) (*Erro, error) { return decodeAs[*Erro](data) }

// decodeAs decodes a message that must be of type T. When it fails the
// returned T is still non-nil whenever the header could be read, so the
// caller can build the Erro from it; an Erro received in its place is
// returned as its *Error.
func decodeAs[T Message](data []byte) (T, error) {
	var zero T
	m, err := Decode(data)
	if e, ok := m.(*Erro); ok && err == nil && zero.Type() != TypeErro {
		return zero, e.Err()
	}
	t, ok := m.(T)
	if !ok {
		if m != nil {
			t = newMessage(zero.Type()).(T)
			*t.Head() = m.Head().IDs()
			t.Head().MessageType = m.Head().MessageType
			if err == nil {
				err = Errorf(CodeMessageNotRecognised, "messageType", "The message type is not the one expected here.")
			}
		}
		if err == nil {
			err = Errorf(CodeMessageNotRecognised, "messageType", "The message type is not the one expected here.")
		}
	}
	return t, err
}

// newMessage returns a new empty message of the type, or nil.
func newMessage(typ string) Message {
	switch typ {
	case TypeAReq:
		return &AReq{}
	case TypeARes:
		return &ARes{}
	case TypeCReq:
		return &CReq{}
	case TypeCRes:
		return &CRes{}
	case TypeRReq:
		return &RReq{}
	case TypeRRes:
		return &RRes{}
	case TypePReq:
		return &PReq{}
	case TypePRes:
		return &PRes{}
	case TypeErro:
		return &Erro{}
	}
	return nil
}

// messageWith returns an Erro-less carrier of h for a failed decode: a
// message of h's type when known (with only the header set), else nil.
func messageWith(h *Header) Message {
	if h == nil {
		return nil
	}
	m := newMessage(h.MessageType)
	if m == nil {
		return nil
	}
	*m.Head() = *h
	return m
}

// peek checks the structure of data and reads its header. It returns the
// header read so far even on failure, or nil when data is not a JSON
// object.
func peek(data []byte) (*Header, error) {
	if len(data) > MaxMessageSize {
		return nil, Errorf(CodeMessageNotRecognised, "", "The message is too large.")
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return nil, Errorf(CodeMessageNotRecognised, "", "The message is not a JSON object.")
	}
	if err := scanObject(d, ""); err != nil {
		return readHeader(data), err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, Errorf(CodeMessageNotRecognised, "", "The message is not one JSON object.")
	}
	h := readHeader(data)
	switch {
	case h.MessageType == "":
		return h, missing("messageType")
	case newMessage(h.MessageType) == nil:
		return h, Errorf(CodeMessageNotRecognised, "messageType", "The message type is not recognised.")
	case h.MessageVersion == "":
		return h, missing("messageVersion")
	case !VersionSupported(h.MessageVersion):
		return h, Errorf(CodeVersionNotSupported, "messageVersion", "The message version is not supported.")
	}
	return h, nil
}

// readHeader reads the header elements that are strings, ignoring the
// rest; it never fails.
func readHeader(data []byte) *Header {
	var raw map[string]json.RawMessage
	json.Unmarshal(data, &raw)
	h := &Header{}
	for name, p := range map[string]*string{
		"messageType": &h.MessageType, "messageVersion": &h.MessageVersion,
		"threeDSServerTransID": &h.ThreeDSServerTransID, "dsTransID": &h.DSTransID,
		"acsTransID": &h.ACSTransID, "sdkTransID": &h.SDKTransID,
	} {
		var s string
		if json.Unmarshal(raw[name], &s) == nil && len(s) <= 64 {
			*p = s
		}
	}
	return h
}

// scanObject reads the rest of an object whose '{' has been read: a
// duplicate member is 204, a member that is "" or null is 203 (Req 309).
// The data of message extensions is not checked.
func scanObject(d *json.Decoder, path string) error {
	seen := map[string]bool{}
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return Errorf(CodeMessageNotRecognised, "", "The message is not valid JSON.")
		}
		name, _ := t.(string)
		if seen[name] {
			return Errorf(CodeDuplicateElement, name, "An element appears more than once.")
		}
		seen[name] = true
		if err := scanValue(d, name, path == "messageExtension" || strings.HasPrefix(path, "messageExtension.")); err != nil {
			return err
		}
	}
	if _, err := d.Token(); err != nil {
		return Errorf(CodeMessageNotRecognised, "", "The message is not valid JSON.")
	}
	return nil
}

// scanValue reads one value of the member name.
func scanValue(d *json.Decoder, name string, free bool) error {
	t, err := d.Token()
	if err != nil {
		return Errorf(CodeMessageNotRecognised, "", "The message is not valid JSON.")
	}
	switch v := t.(type) {
	case nil:
		if !free {
			return invalid(name)
		}
	case string:
		if v == "" && !free {
			return invalid(name)
		}
	case json.Delim:
		switch v {
		case '{':
			if name == "data" && free {
				return skip(d)
			}
			p := name
			if free {
				p = "messageExtension." + name
			}
			return scanObject(d, p)
		case '[':
			for d.More() {
				if err := scanValue(d, name, free || name == "messageExtension"); err != nil {
					return err
				}
			}
			if _, err := d.Token(); err != nil {
				return Errorf(CodeMessageNotRecognised, "", "The message is not valid JSON.")
			}
		}
	}
	return nil
}

// skip reads the rest of an object or array whose opening has been read.
func skip(d *json.Decoder) error {
	depth := 1
	for depth > 0 {
		t, err := d.Token()
		if err != nil {
			return Errorf(CodeMessageNotRecognised, "", "The message is not valid JSON.")
		}
		if t == json.Delim('{') || t == json.Delim('[') {
			depth++
		} else if t == json.Delim('}') || t == json.Delim(']') {
			depth--
		}
	}
	return nil
}

// unmarshal decodes data into m; an element of the wrong JSON type is 203.
func unmarshal(data []byte, m Message) error {
	err := json.Unmarshal(data, m)
	if err == nil {
		return nil
	}
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		name := te.Field
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			name = name[i+1:]
		}
		return invalid(name)
	}
	return Errorf(CodeMessageNotRecognised, "", "The message could not be decoded.")
}
