package threeds

// Message types (messageType).
const (
	TypeAReq = "AReq"
	TypeARes = "ARes"
	TypeCReq = "CReq"
	TypeCRes = "CRes"
	TypeRReq = "RReq"
	TypeRRes = "RRes"
	TypePReq = "PReq"
	TypePRes = "PRes"
	TypeErro = "Erro"
)

// Message is any EMV 3DS message.
type Message interface {
	// Type returns the messageType the message must carry.
	Type() string
	// Head returns the message's version and transaction IDs.
	Head() *Header
	// Validate checks every element of the message, assuming its type
	// and version are right, and returns nil or an *Error naming the
	// first offending element.
	Validate() error
}

// Header holds the elements most messages share: the type, the version
// and the transaction IDs. The IDs are UUIDs (36 characters).
type Header struct {
	MessageType          string `json:"messageType"`
	MessageVersion       string `json:"messageVersion"`
	ThreeDSServerTransID string `json:"threeDSServerTransID,omitempty"`
	DSTransID            string `json:"dsTransID,omitempty"`
	ACSTransID           string `json:"acsTransID,omitempty"`
	SDKTransID           string `json:"sdkTransID,omitempty"`
}

// Head returns h itself, so that every message embedding a Header
// satisfies [Message].
func (h *Header) Head() *Header { return h }

// IDs returns a Header with the same version and transaction IDs and no
// type, for the answer to a message.
func (h *Header) IDs() Header {
	c := *h
	c.MessageType = ""
	return c
}

// MessageExtension is one element of messageExtension. Data is kept
// unparsed and passed through.
type MessageExtension struct {
	Name                 string         `json:"name"`
	ID                   string         `json:"id"`
	CriticalityIndicator *bool          `json:"criticalityIndicator"`
	Data                 map[string]any `json:"data"`
}

// validateExtensions checks messageExtension: at most 10 entries, each
// with a name ≤64, an id ≤64, a criticality indicator and data. We know
// no extension, so a critical one is Erro 202.
func validateExtensions(exts []MessageExtension) error {
	if len(exts) > 10 {
		return invalid("messageExtension")
	}
	for _, e := range exts {
		switch {
		case e.Name == "" || e.ID == "" || e.CriticalityIndicator == nil || e.Data == nil:
			return missing("messageExtension")
		case len(e.Name) > 64 || len(e.ID) > 64:
			return invalid("messageExtension")
		case *e.CriticalityIndicator:
			return Errorf(CodeCriticalExtension, "messageExtension", "A critical message extension is not recognised.")
		}
	}
	return nil
}

// validateIDs checks the transaction IDs that a message of this type
// must carry (required) and those it may carry.
func (h *Header) validateIDs(required ...string) error {
	ids := []struct {
		name, v string
	}{
		{"threeDSServerTransID", h.ThreeDSServerTransID},
		{"dsTransID", h.DSTransID},
		{"acsTransID", h.ACSTransID},
		{"sdkTransID", h.SDKTransID},
	}
	for _, id := range ids {
		req := false
		for _, r := range required {
			req = req || r == id.name
		}
		if id.v == "" {
			if req {
				return missing(id.name)
			}
			continue
		}
		if !isUUID(id.v) {
			return invalid(id.name)
		}
	}
	return nil
}
