package ds

import (
	"context"
	"net/http"

	"github.com/kessai/kessai/threeds"
)

// Client is a 3DS Server's connection to a DS.
type Client struct {
	// URL is the DS's URL.
	URL string
	// HTTP carries the 3DS Server's client certificate and the roots that
	// verify the DS. It should have a timeout (the DS's ACS timeout plus
	// a margin), and a Transport whose MaxIdleConnsPerHost exceeds the
	// expected concurrency: with the default of 2, bursts open new TLS
	// connections and the p99 of the round trip goes from about 1 ms to
	// hundreds (docs/benchmarks.md).
	HTTP *http.Client
}

// Authenticate sends the AReq (messageType is set) and returns the ARes,
// checked against it ([threeds.ARes.ValidateFor]). It fails with an
// *threeds.Error: the Erro of the DS or the ACS (Erro set), 402 on
// timeout, 405 when the DS cannot be reached, or the code of a malformed
// ARes (which the 3DS Server may report to the DS).
func (c *Client) Authenticate(ctx context.Context, areq *threeds.AReq) (*threeds.ARes, error) {
	var ares threeds.ARes
	if err := threeds.Post(ctx, c.HTTP, c.URL, areq, &ares); err != nil {
		return nil, err
	}
	if err := ares.ValidateFor(areq); err != nil {
		return nil, err
	}
	return &ares, nil
}

// Prepare sends the PReq and returns the PRes. It fails as
// [Client.Authenticate] does; 103 when asked too often.
func (c *Client) Prepare(ctx context.Context, preq *threeds.PReq) (*threeds.PRes, error) {
	var pres threeds.PRes
	if err := threeds.Post(ctx, c.HTTP, c.URL, preq, &pres); err != nil {
		return nil, err
	}
	if pres.ThreeDSServerTransID != preq.ThreeDSServerTransID {
		return nil, threeds.Errorf(threeds.CodeTransIDNotRecognised, "threeDSServerTransID", "The PRes answers another PReq.")
	}
	return &pres, nil
}

// RangesFor returns the ranges of one ACS, reached at acsURL, for
// [Config.Ranges].
func RangesFor(acsURL string, ranges []threeds.CardRange) []Range {
	out := make([]Range, len(ranges))
	for i, r := range ranges {
		out[i] = Range{CardRange: r, ACSURL: acsURL}
	}
	return out
}
