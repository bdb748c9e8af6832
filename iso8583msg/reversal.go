package iso8583msg

// ReversalRequest (0400, repeat 0401) undoes the request named by Original:
// an authorization's hold is released, a refund's credit is taken back.
// Amount and ProcessingCode repeat the original's. The PAN is not needed:
// the issuer finds the original by DE90 and DE41. Reversals are full; DE95
// (partial reversal) is not used on this network.
type ReversalRequest struct {
	MTI            string `iso8583:"0"`
	PAN            PAN    `iso8583:"2"`
	ProcessingCode string `iso8583:"3"`
	Amount         int64  `iso8583:"4,keepzero"`
	Trace
	LocalTime    string        `iso8583:"12"`
	LocalDate    string        `iso8583:"13"`
	RRN          string        `iso8583:"37"`
	ApprovalCode string        `iso8583:"38"`
	Additional   *Additional   `iso8583:"48"`
	Currency     string        `iso8583:"49"`
	Original     *OriginalData `iso8583:"90"`
}

// Validate checks the trace fields and DE90. Returns a *FieldError.
func (r *ReversalRequest) Validate() error {
	if err := checkTrace(&r.Trace); err != nil {
		return err
	}
	if r.Amount < 0 {
		return fieldError(4, "must not be negative")
	}
	if r.Original == nil {
		return fieldError(90, "is required")
	}
	return checkOriginal(r.Original)
}

// ReversalResponse answers a [ReversalRequest]: 0410. Any 0410 means the
// reversal was delivered; the response code says what the issuer found
// (00 also for an original it has not seen, which it then remembers).
type ReversalResponse struct {
	MTI            string `iso8583:"0"`
	ProcessingCode string `iso8583:"3"`
	Amount         int64  `iso8583:"4,keepzero"`
	Trace
	RRN          string        `iso8583:"37"`
	ResponseCode string        `iso8583:"39"`
	Currency     string        `iso8583:"49"`
	Original     *OriginalData `iso8583:"90"`
}
