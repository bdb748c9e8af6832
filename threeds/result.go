package threeds

// Results statuses of the RRes (resultsStatus).
const (
	ResultsReceived         = "01"
	ResultsNoCReqSent       = "02" // the Requestor chose not to challenge
	ResultsAResNotDelivered = "03"
)

// RReq is the Results Request: ACS → DS → 3DS Server, the authoritative
// result of a challenge (or decoupled authentication). Exactly one per
// ARes with C or D.
type RReq struct {
	Header

	ACSRenderingType      map[string]any     `json:"acsRenderingType,omitempty"`
	AuthenticationMethod  string             `json:"authenticationMethod,omitempty"`
	AuthenticationType    string             `json:"authenticationType,omitempty"`
	AuthenticationValue   string             `json:"authenticationValue,omitempty"`
	ChallengeCancel       string             `json:"challengeCancel,omitempty"`
	ECI                   string             `json:"eci,omitempty"`
	InteractionCounter    string             `json:"interactionCounter,omitempty"`
	MessageCategory       string             `json:"messageCategory,omitempty"`
	MessageExtension      []MessageExtension `json:"messageExtension,omitempty"`
	TransStatus           string             `json:"transStatus,omitempty"`
	TransStatusReason     string             `json:"transStatusReason,omitempty"`
	WhiteListStatus       string             `json:"whiteListStatus,omitempty"`
	WhiteListStatusSource string             `json:"whiteListStatusSource,omitempty"`
}

// Type returns "RReq".
func (*RReq) Type() string { return TypeRReq }

// Validate checks the RReq: the three IDs, the category, transStatus
// (Y, A, N, U or R), the reason for N, U and R, ECI and authentication
// value for Y and A in a payment, the interaction counter and the cancel
// indicator. It returns nil or an *Error.
func (m *RReq) Validate() error {
	if err := m.validateIDs("threeDSServerTransID", "dsTransID", "acsTransID"); err != nil {
		return err
	}
	s := m.TransStatus
	proof := (s == StatusAuthenticated || s == StatusAttempted) && m.MessageCategory == CategoryPayment
	if err := checkFields(
		req("messageCategory", m.MessageCategory, categoryOK),
		req("transStatus", s, oneOf("Y", "A", "N", "U", "R")),
		when(s == "N" || s == "U" || s == "R", "transStatusReason", m.TransStatusReason, reasonOK),
		when(proof, "eci", m.ECI, digits(2, 2)),
		when(proof, "authenticationValue", m.AuthenticationValue, cavvOK),
		opt("authenticationType", m.AuthenticationType, oneOf("01", "02", "03", "04")),
		req("interactionCounter", m.InteractionCounter, digits(2, 2)),
		opt("challengeCancel", m.ChallengeCancel, oneOf("01", "02", "03", "04", "05", "06", "07", "08")),
		opt("whiteListStatus", m.WhiteListStatus, oneOf("Y", "N", "E", "P", "R", "U")),
		opt("whiteListStatusSource", m.WhiteListStatusSource, oneOf("01", "02", "03")),
	); err != nil {
		return err
	}
	return validateExtensions(m.MessageExtension)
}

// RRes is the Results Response: 3DS Server → DS → ACS.
type RRes struct {
	Header

	MessageExtension []MessageExtension `json:"messageExtension,omitempty"`
	ResultsStatus    string             `json:"resultsStatus,omitempty"`
}

// Type returns "RRes".
func (*RRes) Type() string { return TypeRRes }

// Validate checks the RRes: the three IDs and resultsStatus (01–03). It
// returns nil or an *Error.
func (m *RRes) Validate() error {
	if err := m.validateIDs("threeDSServerTransID", "dsTransID", "acsTransID"); err != nil {
		return err
	}
	if err := checkFields(req("resultsStatus", m.ResultsStatus, oneOf("01", "02", "03"))); err != nil {
		return err
	}
	return validateExtensions(m.MessageExtension)
}
