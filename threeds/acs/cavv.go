package acs

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"

	"github.com/kessai/kessai/iso8583msg"
	"github.com/kessai/kessai/issuersim"
)

// cavv returns the authentication value for a result: the first 20 bytes
// of HMAC-SHA256 under the card company's key over the DS transaction ID,
// the card's last four digits, the amount, the currency and the ECI,
// base64-encoded (28 characters). It binds the CAVV to the purchase, so
// the issuer host can check it without the ACS's state.
func cavv(key []byte, dsTransID, last4 string, amount int64, currency, eci string) string {
	m := hmac.New(sha256.New, key)
	for _, p := range []string{"kessai-cavv-v1", dsTransID, last4, strconv.FormatInt(amount, 10), currency, eci} {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return base64.StdEncoding.EncodeToString(m.Sum(nil)[:20])
}

// VerifyCAVV is the issuer host's 3-D Secure hook
// ([issuersim.Config.VerifyCAVV]): it accepts exactly the CAVVs this ACS
// (or another holding the same key) issued for the same DS transaction,
// card, amount, currency and ECI. It returns "" to accept and the
// response code 05 (do not honour) to decline: a CAVV that does not
// match, or an authenticated or attempted ECI (05, 06, 02, 01) without a
// CAVV. A non-authenticated ECI without a CAVV is accepted: the
// merchant carries the risk.
func (a *ACS) VerifyCAVV(_ context.Context, d issuersim.ThreeDSData) string {
	if d.CAVV == "" {
		switch d.ECI {
		case "05", "06", "02", "01":
			return iso8583msg.DoNotHonor
		}
		return ""
	}
	want := cavv(a.cfg.Key, d.DSTransactionID, d.Last4, d.Amount, d.Currency, d.ECI)
	if !hmac.Equal([]byte(want), []byte(d.CAVV)) {
		return iso8583msg.DoNotHonor
	}
	return ""
}
