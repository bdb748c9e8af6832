package iso8583msg

// DE48 tags (see the package documentation).
const (
	TagCVV2             = "01"
	TagECI              = "02"
	TagCAVV             = "03"
	TagThreeDSVersion   = "04"
	TagDSTransactionID  = "05"
	TagStoredCredential = "06"
	TagReference        = "07"
	TagCVV2Result       = "10"
)

// Trace holds the fields that identify a message on the network and that a
// response echoes: DE7, DE11, DE32, DE41 and DE42. It is embedded in every
// message struct.
type Trace struct {
	TransmissionTime string `iso8583:"7"` // MMDDhhmmss UTC
	STAN             string `iso8583:"11"`
	AcquirerID       string `iso8583:"32"`
	TerminalID       string `iso8583:"41"`
	MerchantID       string `iso8583:"42"`
}

// Additional is DE48, the network's private data.
type Additional struct {
	CVV2             Sensitive `iso8583:"01"`
	ECI              string    `iso8583:"02"`
	CAVV             Sensitive `iso8583:"03"`
	ThreeDSVersion   string    `iso8583:"04"`
	DSTransactionID  string    `iso8583:"05"`
	StoredCredential string    `iso8583:"06"`
	Reference        string    `iso8583:"07"`
	CVV2Result       string    `iso8583:"10"`
}

// IsZero reports whether no element is set.
func (a *Additional) IsZero() bool { return a == nil || *a == Additional{} }

// OriginalData is DE90: the identity of the message a reversal or an advice
// refers to.
type OriginalData struct {
	MTI              string `iso8583:"1,keepzero"`
	STAN             string `iso8583:"2,keepzero"`
	TransmissionTime string `iso8583:"3,keepzero"`
	AcquirerID       string `iso8583:"4,keepzero"` // zero padded on the wire
	ForwarderID      string `iso8583:"5,keepzero"` // zero padded on the wire
}

// OriginalOf returns the DE90 content that names the request with the given
// MTI and trace.
func OriginalOf(mti string, t Trace) *OriginalData {
	return &OriginalData{MTI: mti, STAN: t.STAN, TransmissionTime: t.TransmissionTime, AcquirerID: t.AcquirerID}
}
