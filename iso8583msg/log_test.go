package iso8583msg_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/kessai/kessai/iso8583msg"
)

// secrets are the card data in sampleRequests()[0] that must never print.
var secrets = []string{"4242424242424242", "424242", "AAABBBCCCDDD", "3012"}

func checkMasked(t *testing.T, what, s string) {
	t.Helper()
	for _, secret := range secrets {
		if strings.Contains(s, secret) {
			t.Errorf("%s shows %q:\n%s", what, secret, s)
		}
	}
	// The CVV2 "123" is also part of the STAN "000123": look for the tag.
	if strings.Contains(s, "48.01=123") {
		t.Errorf("%s shows the CVV2:\n%s", what, s)
	}
}

func TestLogMasksCardData(t *testing.T) {
	req := sampleRequests()[0].(*iso8583msg.CardRequest)
	raw, err := iso8583msg.Pack(req)
	if err != nil {
		t.Fatal(err)
	}
	m, err := iso8583msg.Unpack(raw)
	if err != nil {
		t.Fatal(err)
	}

	sum := iso8583msg.Summary(m)
	checkMasked(t, "Summary", sum)
	for _, want := range []string{"0100 ", "2=****4242", "48.01=***", "48.03=***", "48.07=chrg_test_5xyz", "11=000123"} {
		if !strings.Contains(sum, want) {
			t.Errorf("Summary lacks %q:\n%s", want, sum)
		}
	}

	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("sent", "iso8583", iso8583msg.Log(m))
	checkMasked(t, "slog", buf.String())

	buf.Reset()
	if err := iso8583msg.Describe(&buf, m); err != nil {
		t.Fatal(err)
	}
	checkMasked(t, "Describe", buf.String())

	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		checkMasked(t, "fmt "+verb, fmt.Sprintf(verb, *req))
		checkMasked(t, "fmt "+verb+" of DE48", fmt.Sprintf(verb, *req.Additional))
	}
}
