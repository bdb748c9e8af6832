package threeds

import "encoding/base64"

// Transaction statuses (transStatus).
const (
	StatusAuthenticated = "Y"
	StatusAttempted     = "A"
	StatusNotAuthed     = "N"
	StatusUnavailable   = "U"
	StatusRejected      = "R"
	StatusChallenge     = "C"
	StatusDecoupled     = "D"
	StatusInformational = "I"
)

// ARes is the Authentication Response: ACS → DS → 3DS Server.
type ARes struct {
	Header

	ACSChallengeMandated  string             `json:"acsChallengeMandated,omitempty"`
	ACSDecConInd          string             `json:"acsDecConInd,omitempty"`
	ACSOperatorID         string             `json:"acsOperatorID,omitempty"`
	ACSReferenceNumber    string             `json:"acsReferenceNumber,omitempty"`
	ACSRenderingType      map[string]any     `json:"acsRenderingType,omitempty"`
	ACSSignedContent      string             `json:"acsSignedContent,omitempty"`
	ACSURL                string             `json:"acsURL,omitempty"`
	AuthenticationType    string             `json:"authenticationType,omitempty"`
	AuthenticationValue   string             `json:"authenticationValue,omitempty"` // the CAVV/AAV: base64 of 20 bytes
	BroadInfo             map[string]any     `json:"broadInfo,omitempty"`
	CardholderInfo        string             `json:"cardholderInfo,omitempty"`
	DSReferenceNumber     string             `json:"dsReferenceNumber,omitempty"`
	ECI                   string             `json:"eci,omitempty"`
	MessageExtension      []MessageExtension `json:"messageExtension,omitempty"`
	TransStatus           string             `json:"transStatus,omitempty"`
	TransStatusReason     string             `json:"transStatusReason,omitempty"`
	WhiteListStatus       string             `json:"whiteListStatus,omitempty"`
	WhiteListStatusSource string             `json:"whiteListStatusSource,omitempty"`
}

// Type returns "ARes".
func (*ARes) Type() string { return TypeARes }

// Validate checks the ARes on its own: IDs, status, the reason for N, U
// and R, the ECI and authentication value for Y and A, and the challenge
// elements for C and D. It returns nil or an *Error (201, 203, 202).
func (m *ARes) Validate() error {
	if err := m.validateIDs("threeDSServerTransID", "dsTransID", "acsTransID"); err != nil {
		return err
	}
	s := m.TransStatus
	proof := s == StatusAuthenticated || s == StatusAttempted
	challenge := s == StatusChallenge || s == StatusDecoupled
	if err := checkFields(
		req("transStatus", s, oneOf("Y", "A", "N", "U", "R", "C", "D", "I")),
		when(s == "N" || s == "U" || s == "R", "transStatusReason", m.TransStatusReason, reasonOK),
		req("acsReferenceNumber", m.ACSReferenceNumber, length(1, 32)),
		req("dsReferenceNumber", m.DSReferenceNumber, length(1, 32)),
		opt("acsOperatorID", m.ACSOperatorID, length(1, 32)),
		when(proof, "eci", m.ECI, digits(2, 2)),
		when(proof, "authenticationValue", m.AuthenticationValue, cavvOK),
		when(challenge, "acsChallengeMandated", m.ACSChallengeMandated, yn),
		when(challenge, "authenticationType", m.AuthenticationType, oneOf("01", "02", "03", "04")),
		when(s == StatusDecoupled, "acsDecConInd", m.ACSDecConInd, yn),
		opt("acsURL", m.ACSURL, webURL(2048)),
		opt("cardholderInfo", m.CardholderInfo, length(1, 128)),
		opt("whiteListStatus", m.WhiteListStatus, oneOf("Y", "N", "E", "P", "R", "U")),
		opt("whiteListStatusSource", m.WhiteListStatusSource, oneOf("01", "02", "03")),
	); err != nil {
		return err
	}
	return validateExtensions(m.MessageExtension)
}

// ValidateFor checks the ARes as the answer to a: [ARes.Validate], the
// same transaction IDs and version, an acsURL for a browser challenge,
// and no challenge where one is impossible (3RI, or challenge indicator
// 06). It returns nil or an *Error.
func (m *ARes) ValidateFor(a *AReq) error {
	if err := m.Validate(); err != nil {
		return err
	}
	switch {
	case m.MessageVersion != a.MessageVersion:
		return invalid("messageVersion")
	case m.ThreeDSServerTransID != a.ThreeDSServerTransID:
		return Errorf(CodeTransIDNotRecognised, "threeDSServerTransID", "The transaction ID does not match the request.")
	case a.DSTransID != "" && m.DSTransID != a.DSTransID:
		return Errorf(CodeTransIDNotRecognised, "dsTransID", "The transaction ID does not match the request.")
	}
	if m.TransStatus == StatusChallenge {
		if a.DeviceChannel == Channel3RI || a.ThreeDSRequestorChallengeInd == "06" {
			return invalid("transStatus")
		}
		if a.DeviceChannel == ChannelBrowser && m.ACSURL == "" {
			return missing("acsURL")
		}
	}
	return nil
}

// reasonOK accepts a transStatusReason: 01–26 or the DS range 80–99.
func reasonOK(s string) bool {
	return digits(2, 2)(s) && (s >= "01" && s <= "26" || s >= "80")
}

// cavvOK accepts an authentication value: base64 (padded or not) of
// exactly 20 bytes.
func cavvOK(s string) bool {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		b, err = base64.RawStdEncoding.DecodeString(s)
	}
	return err == nil && len(b) == 20
}
