package threeds

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// Erro is the Error message. It answers a request that failed, or is
// posted on its own (e.g. by the ACS to the notificationURL).
type Erro struct {
	Header

	ErrorCode        string `json:"errorCode,omitempty"`
	ErrorComponent   string `json:"errorComponent,omitempty"`
	ErrorDescription string `json:"errorDescription,omitempty"`
	ErrorDetail      string `json:"errorDetail,omitempty"`
	ErrorMessageType string `json:"errorMessageType,omitempty"`
}

// Type returns "Erro".
func (*Erro) Type() string { return TypeErro }

// Validate checks the Erro. It returns nil or an *Error.
func (m *Erro) Validate() error {
	if err := m.validateIDs(); err != nil {
		return err
	}
	return checkFields(
		req("errorCode", m.ErrorCode, digits(3, 3)),
		req("errorComponent", m.ErrorComponent, oneOf("C", "S", "D", "A")),
		req("errorDescription", m.ErrorDescription, length(1, 2048)),
		req("errorDetail", m.ErrorDetail, length(1, 2048)),
		opt("errorMessageType", m.ErrorMessageType, length(1, 4)),
	)
}

// Err returns the Erro as an *Error that carries it.
func (m *Erro) Err() *Error {
	return &Error{Code: m.ErrorCode, Element: m.ErrorDetail, Description: m.ErrorDescription, Erro: m}
}

// NewErro returns the Erro that component (one of the Component*
// constants) sends for err, about a message with header h (nil when the
// message could not be read) and type msgType ("" when unknown). An err
// that is not an *Error becomes 404, permanent system failure, without
// its text. The version is h's when supported, else 2.2.0.
func NewErro(h *Header, msgType, component string, err error) *Erro {
	e, ok := errors.AsType[*Error](err)
	if !ok {
		e = Errorf(CodePermanentFailure, "", "Permanent system failure.")
	}
	m := &Erro{
		ErrorCode:        e.Code,
		ErrorComponent:   component,
		ErrorDescription: e.Description,
		ErrorDetail:      e.Element,
		ErrorMessageType: msgType,
	}
	if h != nil {
		m.Header = h.IDs()
	}
	if !VersionSupported(m.MessageVersion) {
		m.MessageVersion = Version220
	}
	m.MessageType = TypeErro
	// The IDs are copied only when well formed: an Erro must itself be
	// valid, and echoing a malformed ID would make it invalid.
	for _, id := range []*string{&m.ThreeDSServerTransID, &m.DSTransID, &m.ACSTransID, &m.SDKTransID} {
		if *id != "" && !isUUID(*id) {
			*id = ""
		}
	}
	// Description and detail may quote what was received (an element's
	// name): kept valid UTF-8 and within the 2048 characters allowed.
	m.ErrorDescription, m.ErrorDetail = erroText(m.ErrorDescription), erroText(m.ErrorDetail)
	if m.ErrorDescription == "" {
		m.ErrorDescription = "Error."
	}
	if m.ErrorDetail == "" {
		m.ErrorDetail = m.ErrorDescription
	}
	if len(m.ErrorMessageType) > 4 {
		m.ErrorMessageType = ""
	}
	return m
}

// erroText returns s as an Erro may carry it: invalid UTF-8 replaced with
// U+FFFD, and cut to 2048 characters.
func erroText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= maxErroText {
		return s
	}
	return string([]rune(s)[:maxErroText])
}

// maxErroText is the longest errorDescription and errorDetail (EMV 3DS
// Table A.1).
const maxErroText = 2048
