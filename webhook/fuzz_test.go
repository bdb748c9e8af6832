package webhook_test

import (
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kessai/kessai/webhook"
)

// FuzzVerify is the receiver's side of a delivery: whatever the secret,
// signature header, timestamp header and body, Verify must not panic, must
// accept only a header that holds the true HMAC, and must accept what Sign
// made and refuse it for another body.
func FuzzVerify(f *testing.F) {
	secret := base64.StdEncoding.EncodeToString([]byte("whsec-test-secret-0123456789abcd"))
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"object":"event","key":"charge.create"}`)
	good := webhook.Sign([]string{secret}, now, body)
	f.Add(secret, good, strconv.FormatInt(now.Unix(), 10), body)
	f.Add(secret, good+","+strings.Repeat("0", 64), "1800000000", body)
	f.Add(secret, "", "1800000000", body)
	f.Add("not base64!", good, "1800000000", body)
	f.Add(secret, good, "-9223372036854775808", body)
	f.Add(secret, good, "1799999000", []byte{})
	f.Add("", ",,,", "+1800000000", []byte("\xff"))
	f.Fuzz(func(t *testing.T, secret, sig, ts string, body []byte) {
		err := webhook.Verify(secret, sig, ts, body, 5*time.Minute, now)
		if err == nil {
			n, perr := strconv.ParseInt(ts, 10, 64)
			if perr != nil {
				t.Fatalf("accepted a timestamp that does not parse: %q", ts)
			}
			want := webhook.Sign([]string{secret}, time.Unix(n, 0), body)
			if want == "" || !strings.Contains(sig, want) {
				t.Fatalf("accepted %q, which lacks the true signature", sig)
			}
		}
		if _, derr := base64.StdEncoding.DecodeString(secret); derr != nil {
			return
		}
		s := webhook.Sign([]string{secret}, now, body)
		stamp := strconv.FormatInt(now.Unix(), 10)
		if err := webhook.Verify(secret, s, stamp, body, time.Minute, now); err != nil {
			t.Fatalf("own signature refused: %v", err)
		}
		if err := webhook.Verify(secret, s, stamp, append(body, 'x'), time.Minute, now); err == nil {
			t.Fatal("signature accepted for another body")
		}
	})
}
