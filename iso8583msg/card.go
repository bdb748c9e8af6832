package iso8583msg

// CardRequest is an authorization request (0100, repeat 0101) or a
// financial request (0200, repeat 0201). An authorization places a hold on
// the cardholder's credit; a financial request with processing code
// [ProcessingRefund] credits the cardholder (Original may name the purchase
// being refunded; PAN may then be empty), and one with [ProcessingPurchase]
// is a sale, authorized and posted at once.
type CardRequest struct {
	MTI            string `iso8583:"0"`
	PAN            PAN    `iso8583:"2"`
	ProcessingCode string `iso8583:"3"`
	Amount         int64  `iso8583:"4,keepzero"`
	Trace
	LocalTime    string        `iso8583:"12"`
	LocalDate    string        `iso8583:"13"`
	Expiry       Sensitive     `iso8583:"14"` // YYMM
	POSEntryMode string        `iso8583:"22"`
	POSCondition string        `iso8583:"25"`
	RRN          string        `iso8583:"37"`
	Additional   *Additional   `iso8583:"48"`
	Currency     string        `iso8583:"49"`
	Original     *OriginalData `iso8583:"90"`
}

// Validate checks the fields the issuer needs: a 4-digit MTI, the trace
// fields, a 6-digit processing code, a 3-digit currency, and for
// authorizations and sales a PAN and a YYMM expiry. Returns a *FieldError.
func (r *CardRequest) Validate() error {
	if err := checkTrace(&r.Trace); err != nil {
		return err
	}
	if !digits(r.ProcessingCode, 6, 6) {
		return fieldError(3, "must be 6 digits")
	}
	if !digits(r.Currency, 3, 3) {
		return fieldError(49, "must be 3 digits")
	}
	if r.Amount < 0 {
		return fieldError(4, "must not be negative")
	}
	if r.ProcessingCode != ProcessingRefund || r.PAN != "" {
		if !digits(string(r.PAN), 12, 19) {
			return fieldError(2, "must be 12 to 19 digits")
		}
	}
	if r.ProcessingCode != ProcessingRefund || r.Expiry != "" {
		if _, _, err := ParseExpiry(r.Expiry.Reveal()); err != nil {
			return fieldError(14, "must be YYMM")
		}
	}
	if r.Original != nil {
		if err := checkOriginal(r.Original); err != nil {
			return err
		}
	}
	return nil
}

// CardResponse answers a [CardRequest]: 0110 or 0210. Additional carries the
// CVV2 result when a CVV2 was checked.
type CardResponse struct {
	MTI            string `iso8583:"0"`
	ProcessingCode string `iso8583:"3"`
	Amount         int64  `iso8583:"4,keepzero"`
	Trace
	RRN          string      `iso8583:"37"`
	ApprovalCode string      `iso8583:"38"`
	ResponseCode string      `iso8583:"39"`
	Additional   *Additional `iso8583:"48"`
	Currency     string      `iso8583:"49"`
}
