package httpapi

import (
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/kessai/kessai"
)

// authenticate returns who sent the request, from the API key in its HTTP
// Basic credentials. It fails with EAuthenticationFailure when the header is
// missing or malformed, the key is unknown or expired, or the route does not
// accept the key's kind.
func (s *Server) authenticate(r *http.Request, rt *Route, st *state) (*kessai.Auth, error) {
	key, ok := basicKey(r.Header.Get("Authorization"))
	if !ok {
		return nil, kessai.Errorf(kessai.EAuthenticationFailure,
			"authentication failed: send your API key as the user name of HTTP Basic authentication")
	}
	if !plausibleKey(key) {
		return nil, authFailed()
	}
	auth, err := s.auth.authenticate(r.Context(), key, st.now)
	if err != nil {
		if kessai.ErrorCode(err) == kessai.EAuthenticationFailure {
			return nil, authFailed()
		}
		return nil, err
	}
	if !rt.accepts(auth.Kind) {
		if auth.Kind == kessai.PublicKey {
			return nil, kessai.Errorf(kessai.EAuthenticationFailure, "authentication failed: this request needs your secret key")
		}
		return nil, kessai.Errorf(kessai.EAuthenticationFailure, "authentication failed: this request needs your public key")
	}
	return auth, nil
}

func authFailed() error {
	return kessai.Errorf(kessai.EAuthenticationFailure, "authentication failed")
}

// basicKey returns the user name of an HTTP Basic Authorization header: the
// part before the first ':' of the decoded credentials, or all of them when
// there is no ':' (as Omise.js sends). Padding is optional.
func basicKey(h string) (string, bool) {
	const prefix = "Basic "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) || len(h) > 512 {
		return "", false
	}
	enc := strings.TrimSpace(h[len(prefix):])
	var buf [384]byte
	n, err := base64.StdEncoding.Decode(buf[:], []byte(enc))
	if err != nil {
		n, err = base64.RawStdEncoding.Decode(buf[:], []byte(strings.TrimRight(enc, "=")))
		if err != nil {
			return "", false
		}
	}
	cred := buf[:n]
	if i := indexByte(cred, ':'); i >= 0 {
		cred = cred[:i]
	}
	if len(cred) == 0 {
		return "", false
	}
	return string(cred), true
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// plausibleKey reports whether key looks like an API key ("pkey_" or
// "skey_" and then [0-9a-z_], at most 64 bytes), so that garbage never
// reaches the database.
func plausibleKey(key string) bool {
	if len(key) < 6 || len(key) > 64 || !(strings.HasPrefix(key, "pkey_") || strings.HasPrefix(key, "skey_")) {
		return false
	}
	for i := 5; i < len(key); i++ {
		c := key[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
