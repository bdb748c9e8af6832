package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// The signature headers, as Omise sends them.
const (
	HeaderSignature = "Omise-Signature"
	HeaderTimestamp = "Omise-Signature-Timestamp"
)

// Sign returns the Omise-Signature value for body sent at ts: the hex
// HMAC-SHA256 of "TIMESTAMP.BODY" under each base64-decoded secret, joined
// by commas (two while a secret roll is in progress). Secrets that are not
// valid base64 are skipped.
func Sign(secrets []string, ts time.Time, body []byte) string {
	var sigs []string
	for _, s := range secrets {
		if mac, ok := signOne(s, ts.Unix(), body); ok {
			sigs = append(sigs, mac)
		}
	}
	return strings.Join(sigs, ",")
}

func signOne(secret string, ts int64, body []byte) (string, bool) {
	key, err := base64.StdEncoding.DecodeString(secret)
	if err != nil {
		return "", false
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil)), true
}

// Errors of [Verify].
var (
	ErrNoSignature  = errors.New("webhook: missing signature or timestamp")
	ErrBadSignature = errors.New("webhook: no signature matches")
	ErrOldTimestamp = errors.New("webhook: timestamp outside the tolerance")
)

// Verify checks a delivery as a receiver does: the timestamp header must be
// within tolerance of now, and one of the comma-separated signatures must be
// the HMAC of "TIMESTAMP.BODY" under the base64 secret.
func Verify(secret, signature, timestamp string, body []byte, tolerance time.Duration, now time.Time) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if signature == "" || err != nil {
		return ErrNoSignature
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return ErrOldTimestamp
	}
	want, ok := signOne(secret, ts, body)
	if !ok {
		return ErrBadSignature
	}
	for _, sig := range strings.Split(signature, ",") {
		if hmac.Equal([]byte(strings.TrimSpace(sig)), []byte(want)) {
			return nil
		}
	}
	return ErrBadSignature
}
