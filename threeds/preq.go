package threeds

// PReq is the Preparation Request: 3DS Server → DS, asking for the card
// ranges (all of them, or the changes since serialNum).
type PReq struct {
	Header

	ThreeDSServerRefNumber  string             `json:"threeDSServerRefNumber,omitempty"`
	ThreeDSServerOperatorID string             `json:"threeDSServerOperatorID,omitempty"`
	MessageExtension        []MessageExtension `json:"messageExtension,omitempty"`
	SerialNum               string             `json:"serialNum,omitempty"`
}

// Type returns "PReq".
func (*PReq) Type() string { return TypePReq }

// Validate checks the PReq. It returns nil or an *Error.
func (m *PReq) Validate() error {
	if err := m.validateIDs("threeDSServerTransID"); err != nil {
		return err
	}
	if err := checkFields(
		req("threeDSServerRefNumber", m.ThreeDSServerRefNumber, length(1, 32)),
		opt("threeDSServerOperatorID", m.ThreeDSServerOperatorID, length(1, 32)),
		opt("serialNum", m.SerialNum, alnum(1, 20)),
	); err != nil {
		return err
	}
	return validateExtensions(m.MessageExtension)
}

// PRes is the Preparation Response: DS → 3DS Server, the card ranges.
type PRes struct {
	Header

	CardRangeData          []CardRange        `json:"cardRangeData,omitempty"`
	DSStartProtocolVersion string             `json:"dsStartProtocolVersion,omitempty"`
	DSEndProtocolVersion   string             `json:"dsEndProtocolVersion,omitempty"`
	MessageExtension       []MessageExtension `json:"messageExtension,omitempty"`
	SerialNum              string             `json:"serialNum,omitempty"`
}

// Type returns "PRes".
func (*PRes) Type() string { return TypePRes }

// Range actions (actionInd).
const (
	ActionAdd    = "A"
	ActionDelete = "D"
	ActionModify = "M"
)

// CardRange is one range of card numbers of the PRes, with its ACS's
// versions and 3DS Method URL.
type CardRange struct {
	StartRange              string   `json:"startRange"`
	EndRange                string   `json:"endRange"`
	ActionInd               string   `json:"actionInd,omitempty"`
	ACSStartProtocolVersion string   `json:"acsStartProtocolVersion"`
	ACSEndProtocolVersion   string   `json:"acsEndProtocolVersion"`
	ACSInfoInd              []string `json:"acsInfoInd,omitempty"`
	ThreeDSMethodURL        string   `json:"threeDSMethodURL,omitempty"`
}

// Contains reports whether the card number (digits) is in the range. A
// number longer than the range's bounds is compared on its first digits.
func (r CardRange) Contains(number string) bool {
	n := len(r.StartRange)
	if len(number) < n {
		return false
	}
	p := number[:n]
	return p >= r.StartRange && p <= r.EndRange
}

// Validate checks the PRes and each of its ranges. It returns nil or an
// *Error.
func (m *PRes) Validate() error {
	if err := m.validateIDs("threeDSServerTransID", "dsTransID"); err != nil {
		return err
	}
	version := oneOf(Version210, Version220, Version231)
	if err := checkFields(
		req("dsStartProtocolVersion", m.DSStartProtocolVersion, version),
		req("dsEndProtocolVersion", m.DSEndProtocolVersion, version),
		req("serialNum", m.SerialNum, alnum(1, 20)),
	); err != nil {
		return err
	}
	for _, r := range m.CardRangeData {
		if err := r.validate(); err != nil {
			return err
		}
	}
	return validateExtensions(m.MessageExtension)
}

func (r CardRange) validate() error {
	version := oneOf(Version210, Version220, Version231)
	if err := checkFields(
		req("startRange", r.StartRange, digits(13, 19)),
		req("endRange", r.EndRange, digits(13, 19)),
		opt("actionInd", r.ActionInd, oneOf(ActionAdd, ActionDelete, ActionModify)),
		req("acsStartProtocolVersion", r.ACSStartProtocolVersion, version),
		req("acsEndProtocolVersion", r.ACSEndProtocolVersion, version),
		opt("threeDSMethodURL", r.ThreeDSMethodURL, webURL(256)),
	); err != nil {
		return err
	}
	if len(r.StartRange) != len(r.EndRange) || r.StartRange > r.EndRange {
		return invalid("endRange")
	}
	if r.ACSStartProtocolVersion > r.ACSEndProtocolVersion {
		return invalid("acsEndProtocolVersion")
	}
	for _, i := range r.ACSInfoInd {
		if !(i == "01" || i == "02" || i == "03" || i == "04" || digits(2, 2)(i) && i >= "80") {
			return invalid("acsInfoInd")
		}
	}
	return nil
}

// alnum accepts min to max ASCII letters and digits.
func alnum(min, max int) func(string) bool {
	return func(s string) bool {
		if len(s) < min || len(s) > max {
			return false
		}
		for i := 0; i < len(s); i++ {
			c := s[i]
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				return false
			}
		}
		return true
	}
}
