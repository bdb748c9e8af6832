package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// WriteJSON writes v as the JSON body of a 200 response, as every success
// in the Omise API is. It fails, having written nothing, when v cannot be
// encoded; a failure to send (the client went away) is not reported.
func WriteJSON(w http.ResponseWriter, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	writeBody(w, http.StatusOK, b)
	return nil
}

// writeJSONStatus writes v as JSON with status; v must be encodable.
func writeJSONStatus(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`{"object":"error","location":"","code":"internal_error","message":"internal error"}`)
		status = http.StatusInternalServerError
	}
	writeBody(w, status, b)
}

func writeBody(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h["Content-Type"] = hdrJSON
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(status)
	w.Write(b)
}
