package threeds

// Challenge window sizes (challengeWindowSize).
const (
	Window250x400 = "01"
	Window390x400 = "02"
	Window500x600 = "03"
	Window600x400 = "04"
	WindowFull    = "05"
)

// Challenge cancel indicators (challengeCancel).
const (
	CancelByCardholder   = "01"
	CancelDecoupledTimer = "03"
	CancelACSTimeout     = "04" // the challenge page timed out
	CancelNoCReq         = "05" // the first CReq did not come in time
	CancelError          = "06"
	CancelUnknown        = "07"
)

// CReq is the Challenge Request. In the browser channel the 3DS Requestor
// posts it through the cardholder's browser to the acsURL as the form
// field creq ([EncodeBrowserCReq]).
type CReq struct {
	Header

	ACSCounterStoA         string             `json:"sdkCounterStoA,omitempty"`
	ChallengeCancel        string             `json:"challengeCancel,omitempty"`
	ChallengeDataEntry     string             `json:"challengeDataEntry,omitempty"`
	ChallengeHTMLDataEntry string             `json:"challengeHTMLDataEntry,omitempty"`
	ChallengeWindowSize    string             `json:"challengeWindowSize,omitempty"`
	MessageExtension       []MessageExtension `json:"messageExtension,omitempty"`
	OOBContinue            *bool              `json:"oobContinue,omitempty"`
	ResendChallenge        string             `json:"resendChallenge,omitempty"`
}

// Type returns "CReq".
func (*CReq) Type() string { return TypeCReq }

// Validate checks the CReq: the 3DS Server and ACS transaction IDs, and
// for the browser (no sdkTransID) the challenge window size. It returns
// nil or an *Error.
func (m *CReq) Validate() error {
	if err := m.validateIDs("threeDSServerTransID", "acsTransID"); err != nil {
		return err
	}
	browser := m.SDKTransID == ""
	if err := checkFields(
		when(browser, "challengeWindowSize", m.ChallengeWindowSize, oneOf("01", "02", "03", "04", "05")),
		when(!browser, "sdkCounterStoA", m.ACSCounterStoA, digits(3, 3)),
		opt("challengeCancel", m.ChallengeCancel, oneOf("01", "04", "05", "06", "07", "08")),
		opt("challengeDataEntry", m.ChallengeDataEntry, length(1, 45)),
		opt("challengeHTMLDataEntry", m.ChallengeHTMLDataEntry, length(1, 256)),
		opt("resendChallenge", m.ResendChallenge, yn),
	); err != nil {
		return err
	}
	return validateExtensions(m.MessageExtension)
}

// CRes is the Challenge Response. In the browser channel only the final
// CRes exists: the ACS posts it through the browser to the notificationURL
// as the form field cres. It is unsigned and only signals the end of the
// challenge; the RReq carries the result.
type CRes struct {
	Header

	ACSCounterAtoS         string             `json:"acsCounterAtoS,omitempty"`
	ChallengeCompletionInd string             `json:"challengeCompletionInd,omitempty"`
	MessageExtension       []MessageExtension `json:"messageExtension,omitempty"`
	TransStatus            string             `json:"transStatus,omitempty"`
}

// Type returns "CRes".
func (*CRes) Type() string { return TypeCRes }

// Validate checks the final browser CRes: the 3DS Server and ACS
// transaction IDs, transStatus Y or N, and challengeCompletionInd when
// sent (2.1.0 sends it in the browser too). It returns nil or an *Error.
func (m *CRes) Validate() error {
	if err := m.validateIDs("threeDSServerTransID", "acsTransID"); err != nil {
		return err
	}
	if err := checkFields(
		req("transStatus", m.TransStatus, oneOf("Y", "N")),
		opt("challengeCompletionInd", m.ChallengeCompletionInd, yn),
		opt("acsCounterAtoS", m.ACSCounterAtoS, digits(3, 3)),
	); err != nil {
		return err
	}
	return validateExtensions(m.MessageExtension)
}
