package iso8583msg

// NetworkRequest is a network management request (0800): sign-on, sign-off
// or echo, by Code (DE70).
type NetworkRequest struct {
	MTI string `iso8583:"0"`
	Trace
	Code string `iso8583:"70"`
}

// Validate checks DE7, DE11 and DE70. Returns a *FieldError.
func (r *NetworkRequest) Validate() error {
	if !digits(r.TransmissionTime, 10, 10) {
		return fieldError(7, "must be MMDDhhmmss")
	}
	if !digits(r.STAN, 6, 6) {
		return fieldError(11, "must be 6 digits")
	}
	if !digits(r.Code, 3, 3) {
		return fieldError(70, "must be 3 digits")
	}
	return nil
}

// NetworkResponse answers a [NetworkRequest]: 0810.
type NetworkResponse struct {
	MTI string `iso8583:"0"`
	Trace
	ResponseCode string `iso8583:"39"`
	Code         string `iso8583:"70"`
}
