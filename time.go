package kessai

import (
	"encoding/json"
	"time"
)

// TimeLayout is how the API writes instants: UTC, whole seconds.
const TimeLayout = "2006-01-02T15:04:05Z"

// Time is an instant that encodes as the Omise API does ("2006-01-02T15:04:05Z").
// A nil *Time encodes as null.
type Time struct{ time.Time }

// NewTime returns t as a *Time, or nil for the zero time.
func NewTime(t time.Time) *Time {
	if t.IsZero() {
		return nil
	}
	return &Time{t}
}

// MarshalJSON writes the instant in UTC with whole seconds.
func (t Time) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.UTC().Format(TimeLayout) + `"`), nil
}

// UnmarshalJSON reads any RFC 3339 instant.
func (t *Time) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}
