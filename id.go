package kessai

import (
	"crypto/rand"
	"strings"
	"time"
)

// Object id prefixes, as in the Omise API.
const (
	PrefixAccount     = "acct"
	PrefixToken       = "tokn"
	PrefixCard        = "card"
	PrefixCharge      = "chrg"
	PrefixCustomer    = "cust"
	PrefixRefund      = "rfnd"
	PrefixTransaction = "trxn"
	PrefixEvent       = "evnt"
	PrefixPayment     = "paym"
	PrefixDelivery    = "whdl"
	PrefixKey         = "key" // internal id of an API key record, never a credential
)

const idAlphabet = "0123456789abcdefghijklmnopqrstuvwxyz"

// RandomString returns n characters drawn uniformly from [0-9a-z] with a
// cryptographic random source.
func RandomString(n int) string {
	var b strings.Builder
	b.Grow(n)
	buf := make([]byte, n+n/2)
	for b.Len() < n {
		rand.Read(buf)
		for _, c := range buf {
			// 252 = 7*36: reject the tail so every character is equally likely.
			if c < 252 && b.Len() < n {
				b.WriteByte(idAlphabet[c%36])
			}
		}
	}
	return b.String()
}

// NewID returns a fresh object id such as "chrg_test_0mi7…": the prefix,
// "_test" in test mode, and 19 characters of [0-9a-z]. The first nine encode
// the creation time in milliseconds and the last ten are random (51 bits), so
// that ids of one kind sort by creation time: new rows then land on the last
// page of a primary-key index instead of a random one, which keeps each
// durable commit small.
func NewID(prefix string, livemode bool) string {
	var b strings.Builder
	b.Grow(len(prefix) + 25)
	b.WriteString(prefix)
	if livemode {
		b.WriteString("_")
	} else {
		b.WriteString("_test_")
	}
	var ts [9]byte
	ms := uint64(time.Now().UnixMilli())
	for i := len(ts) - 1; i >= 0; i-- {
		ts[i] = idAlphabet[ms%36]
		ms /= 36
	}
	b.Write(ts[:])
	b.WriteString(RandomString(10))
	return b.String()
}

// IDLivemode reports whether id belongs to live mode (it has no "_test_").
func IDLivemode(id string) bool { return !strings.Contains(id, "_test_") }

// HasPrefix reports whether id is of the object kind named by prefix.
func HasPrefix(id, prefix string) bool { return strings.HasPrefix(id, prefix+"_") }
