package threeds

import (
	"encoding/base64"
	"encoding/json"
	"strings"
)

// MaxSessionData is the longest threeDSSessionData the ACS echoes back.
const MaxSessionData = 1024

// EncodeBrowser returns m as the value of a browser form field (creq,
// cres): base64url of its JSON, without padding.
func EncodeBrowser(m Message) (string, error) {
	m.Head().MessageType = m.Type()
	b, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// decodeBase64URL decodes base64url with or without padding (both are
// met in practice).
func decodeBase64URL(s string) ([]byte, bool) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	return b, err == nil
}

// DecodeBrowserCReq decodes the creq form field the ACS receives. A value
// that is not base64url is 203 for "creq"; the rest is [DecodeCReq].
func DecodeBrowserCReq(field string) (*CReq, error) {
	b, ok := decodeBase64URL(field)
	if !ok || field == "" {
		return nil, invalid("creq")
	}
	return DecodeCReq(b)
}

// DecodeBrowserCRes decodes the cres form field posted to the
// notificationURL. An Erro posted in its place comes back as its *Error.
func DecodeBrowserCRes(field string) (*CRes, error) {
	b, ok := decodeBase64URL(field)
	if !ok || field == "" {
		return nil, invalid("cres")
	}
	return DecodeCRes(b)
}

// MethodData is the threeDSMethodData of the 3DS Method: the 3DS Server
// posts it to the ACS's threeDSMethodURL (with the notification URL), and
// the ACS posts it back (transaction ID only) to that URL.
type MethodData struct {
	ThreeDSServerTransID         string `json:"threeDSServerTransID"`
	ThreeDSMethodNotificationURL string `json:"threeDSMethodNotificationURL,omitempty"`
}

// Encode returns the form value: base64url of the JSON, no padding.
func (d MethodData) Encode() string {
	b, _ := json.Marshal(d) // cannot fail: two strings
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeMethodData decodes a threeDSMethodData form value. It fails with
// 203 for threeDSMethodData when the value is not base64url JSON, and
// 201/203 for a missing or malformed transaction ID.
func DecodeMethodData(field string) (MethodData, error) {
	var d MethodData
	b, ok := decodeBase64URL(field)
	if !ok || len(b) > 4096 || json.Unmarshal(b, &d) != nil {
		return MethodData{}, invalid("threeDSMethodData")
	}
	if err := checkFields(
		req("threeDSServerTransID", d.ThreeDSServerTransID, isUUID),
		opt("threeDSMethodNotificationURL", d.ThreeDSMethodNotificationURL, webURL(2048)),
	); err != nil {
		return MethodData{}, err
	}
	return d, nil
}
