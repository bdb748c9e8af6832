package iso8583msg

// CaptureAdvice (0220, repeat 0221) posts a held authorization: Original
// names the 0100, Amount is the amount to post (at most the amount held; the
// rest of the hold is released). RRN and ApprovalCode repeat the
// authorization's.
type CaptureAdvice struct {
	MTI            string `iso8583:"0"`
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

// Validate checks the trace fields, the currency and DE90. Returns a
// *FieldError.
func (a *CaptureAdvice) Validate() error {
	if err := checkTrace(&a.Trace); err != nil {
		return err
	}
	if !digits(a.Currency, 3, 3) {
		return fieldError(49, "must be 3 digits")
	}
	if a.Amount < 0 {
		return fieldError(4, "must not be negative")
	}
	if a.Original == nil {
		return fieldError(90, "is required")
	}
	return checkOriginal(a.Original)
}

// CaptureAdviceResponse answers a [CaptureAdvice]: 0230.
type CaptureAdviceResponse struct {
	MTI            string `iso8583:"0"`
	ProcessingCode string `iso8583:"3"`
	Amount         int64  `iso8583:"4,keepzero"`
	Trace
	RRN          string        `iso8583:"37"`
	ApprovalCode string        `iso8583:"38"`
	ResponseCode string        `iso8583:"39"`
	Currency     string        `iso8583:"49"`
	Original     *OriginalData `iso8583:"90"`
}
