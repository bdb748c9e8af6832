package card

// FieldError says which card field is wrong and why. Its message never
// contains the field's value.
type FieldError struct {
	Field  string // the Omise parameter name: "number", "security_code", …
	Reason string
}

// Error returns "<field> <reason>", such as "number is invalid (check digit)".
func (e *FieldError) Error() string { return e.Field + " " + e.Reason }

func fieldErr(field, reason string) *FieldError { return &FieldError{Field: field, Reason: reason} }
