package iso8583msg

import "fmt"

// FieldError says which data element of a message is missing or malformed.
// Its message never contains the field's content.
type FieldError struct {
	Field  int
	Reason string
}

// Error returns "iso8583: DE<n> <reason>".
func (e *FieldError) Error() string { return fmt.Sprintf("iso8583: DE%d %s", e.Field, e.Reason) }

func fieldError(n int, reason string) *FieldError { return &FieldError{Field: n, Reason: reason} }

// checkTrace checks the identity fields every financial message carries.
func checkTrace(t *Trace) error {
	switch {
	case !digits(t.TransmissionTime, 10, 10):
		return fieldError(7, "must be MMDDhhmmss")
	case !digits(t.STAN, 6, 6):
		return fieldError(11, "must be 6 digits")
	case !digits(t.AcquirerID, 1, 11):
		return fieldError(32, "must be 1 to 11 digits")
	case t.TerminalID == "":
		return fieldError(41, "is required")
	}
	return nil
}

// checkOriginal checks DE90.
func checkOriginal(o *OriginalData) error {
	switch {
	case !validMTI(o.MTI):
		return fieldError(90, "has a malformed MTI")
	case !digits(o.STAN, 6, 6):
		return fieldError(90, "has a malformed STAN")
	case !digits(o.TransmissionTime, 10, 10):
		return fieldError(90, "has a malformed transmission time")
	case !digits(o.AcquirerID, 0, 11):
		return fieldError(90, "has a malformed acquirer id")
	}
	return nil
}

// digits reports whether s has min to max characters, all ASCII digits.
func digits(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
