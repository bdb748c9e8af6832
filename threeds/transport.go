package threeds

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
)

// ContentType is the media type of every message POSTed between
// components.
const ContentType = "application/json; charset=utf-8"

// Post sends req to url with client (which carries the mutual-TLS
// configuration) and decodes the answer into resp, whose type must be
// the answer to req's. It sets req's messageType. It returns nil when a
// valid answer came; an *Error with Erro set when the peer answered with
// an Erro; an *Error with code 402 when ctx or the client timed out, 405
// when the peer could not be reached, 403 or 404 when it answered an HTTP
// 5xx or 4xx error that is not a message; and an *Error (the decoder's)
// when the answer was invalid. Decoding errors are the peer's fault: the
// caller may report them with [NewErro].
func Post(ctx context.Context, client *http.Client, url string, req, resp Message) error {
	req.Head().MessageType = req.Type()
	body, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("threeds: encode %s: %w", req.Type(), err)
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Errorf(CodeConnectionFailure, "", "The peer URL is not valid.")
	}
	hr.Header.Set("Content-Type", ContentType)
	hr.Header.Set("Accept", "application/json")
	res, err := client.Do(hr)
	if err != nil {
		return transportError(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, MaxMessageSize+1))
	if err != nil {
		return transportError(err)
	}
	m, err := Decode(data)
	if err != nil {
		if res.StatusCode/100 != 2 && m == nil {
			// Not a 3DS answer at all, such as a proxy's or a server's
			// own HTTP error page.
			if res.StatusCode/100 == 5 {
				return Errorf(CodeTransientFailure, "", "The peer answered HTTP %d.", res.StatusCode)
			}
			return Errorf(CodePermanentFailure, "", "The peer answered HTTP %d.", res.StatusCode)
		}
		return err
	}
	if e, ok := m.(*Erro); ok {
		return e.Err()
	}
	if m.Type() != resp.Type() {
		return Errorf(CodeMessageNotRecognised, "messageType", "The answer is not a %s.", resp.Type())
	}
	return json.Unmarshal(data, resp) // already decoded once: cannot fail
}

// transportError classifies a transport failure as 402 (timed out) or
// 405 (could not connect).
func transportError(err error) *Error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return Errorf(CodeTimeout, "", "The peer did not answer in time.")
	}
	return Errorf(CodeConnectionFailure, "", "The peer could not be reached.")
}

// WriteMessage writes m as the JSON answer to an HTTP request, with its
// messageType set. Protocol answers, Erro included, go with status 200.
func WriteMessage(w http.ResponseWriter, m Message) {
	m.Head().MessageType = m.Type()
	b, err := json.Marshal(m)
	if err != nil {
		b, _ = json.Marshal(NewErro(m.Head(), m.Type(), ComponentDS, err))
	}
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

// ReadMessage reads and decodes the body of an HTTP request (at most
// [MaxMessageSize] bytes) as [Decode] does. A body that is too large or
// cannot be read is 101; the caller answers errors with [NewErro].
func ReadMessage(r *http.Request) (Message, error) {
	data, err := io.ReadAll(io.LimitReader(r.Body, MaxMessageSize+1))
	if err != nil || len(data) > MaxMessageSize {
		return nil, Errorf(CodeMessageNotRecognised, "", "The message could not be read.")
	}
	return Decode(data)
}
