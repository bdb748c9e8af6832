package iso8583msg_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai/iso8583msg"
)

func trace() iso8583msg.Trace {
	return iso8583msg.Trace{
		TransmissionTime: "1122041530",
		STAN:             "000123",
		AcquirerID:       "4100001",
		TerminalID:       "KESSAI01",
		MerchantID:       "acct_test_1",
	}
}

// sampleRequests returns one message of every request type.
func sampleRequests() []any {
	return []any{
		&iso8583msg.CardRequest{
			MTI: iso8583msg.MTIAuthorization, PAN: "4242424242424242", ProcessingCode: iso8583msg.ProcessingPurchase,
			Amount: 100000, Trace: trace(), LocalTime: "041530", LocalDate: "1122", Expiry: "3012",
			POSEntryMode: iso8583msg.POSEntryEcommerce, POSCondition: iso8583msg.POSConditionEcommerce,
			RRN: "532604000123", Currency: "764",
			Additional: &iso8583msg.Additional{
				CVV2: "123", ECI: "05", CAVV: "AAABBBCCCDDDEEEFFFGGGHHHIII=", ThreeDSVersion: "2.2.0",
				DSTransactionID: "f25084f0-5b16-4c0a-ae5d-b24808a95e4b", StoredCredential: iso8583msg.StoredInitial,
				Reference: "chrg_test_5xyz",
			},
		},
		&iso8583msg.CardRequest{
			MTI: iso8583msg.MTIFinancial, ProcessingCode: iso8583msg.ProcessingRefund, Amount: 500, Trace: trace(),
			Currency: "392", Original: &iso8583msg.OriginalData{MTI: "0100", STAN: "000100", TransmissionTime: "1122041000", AcquirerID: "4100001"},
		},
		&iso8583msg.CaptureAdvice{
			MTI: iso8583msg.MTICaptureAdvice, ProcessingCode: iso8583msg.ProcessingPurchase, Amount: 0, Trace: trace(),
			RRN: "532604000100", ApprovalCode: "A1B2C3", Currency: "840",
			Original: &iso8583msg.OriginalData{MTI: "0100", STAN: "000100", TransmissionTime: "1122041000", AcquirerID: "4100001"},
		},
		&iso8583msg.ReversalRequest{
			MTI: iso8583msg.MTIReversalRepeat, ProcessingCode: iso8583msg.ProcessingPurchase, Amount: 100, Trace: trace(),
			RRN: "532604000100", Currency: "840", Additional: &iso8583msg.Additional{Reference: "chrg_test_1"},
			Original: &iso8583msg.OriginalData{MTI: "0100", STAN: "000100", TransmissionTime: "1122041000", AcquirerID: "4100001"},
		},
		&iso8583msg.NetworkRequest{MTI: iso8583msg.MTINetwork, Trace: iso8583msg.Trace{TransmissionTime: "1122041530", STAN: "000001", AcquirerID: "4100001", TerminalID: "KESSAI01"}, Code: iso8583msg.SignOn},
	}
}

func sampleResponses() []any {
	return []any{
		&iso8583msg.CardResponse{
			MTI: iso8583msg.MTIAuthorizationResponse, ProcessingCode: "000000", Amount: 100000, Trace: trace(),
			RRN: "532604000123", ApprovalCode: "A1B2C3", ResponseCode: iso8583msg.Approved, Currency: "764",
			Additional: &iso8583msg.Additional{CVV2Result: iso8583msg.CVV2Match},
		},
		&iso8583msg.CaptureAdviceResponse{
			MTI: iso8583msg.MTICaptureAdviceResponse, ProcessingCode: "000000", Amount: 10, Trace: trace(),
			RRN: "532604000100", ApprovalCode: "A1B2C3", ResponseCode: iso8583msg.Approved, Currency: "840",
			Original: &iso8583msg.OriginalData{MTI: "0100", STAN: "000100", TransmissionTime: "1122041000", AcquirerID: "4100001"},
		},
		&iso8583msg.ReversalResponse{
			MTI: iso8583msg.MTIReversalResponse, ProcessingCode: "000000", Amount: 10, Trace: trace(),
			RRN: "532604000100", ResponseCode: iso8583msg.Approved, Currency: "840",
			Original: &iso8583msg.OriginalData{MTI: "0100", STAN: "000100", TransmissionTime: "1122041000", AcquirerID: "4100001"},
		},
		&iso8583msg.NetworkResponse{MTI: iso8583msg.MTINetworkResponse, Trace: trace(), ResponseCode: "00", Code: iso8583msg.Echo},
	}
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name   string
		msgs   []any
		decode func(raw []byte) (any, error)
	}{
		{"requests", sampleRequests(), func(raw []byte) (any, error) {
			m, err := iso8583msg.Unpack(raw)
			if err != nil {
				return nil, err
			}
			return iso8583msg.DecodeRequest(m)
		}},
		{"responses", sampleResponses(), func(raw []byte) (any, error) {
			m, err := iso8583msg.Unpack(raw)
			if err != nil {
				return nil, err
			}
			return iso8583msg.DecodeResponse(m)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, want := range tc.msgs {
				raw, err := iso8583msg.Pack(want)
				if err != nil {
					t.Fatalf("pack %T: %v", want, err)
				}
				got, err := tc.decode(raw)
				if err != nil {
					t.Fatalf("decode %T: %v", want, err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("round trip of %T (-want +got):\n%s", want, diff)
				}
			}
		})
	}
}

func TestValidate(t *testing.T) {
	good := sampleRequests()[0].(*iso8583msg.CardRequest)
	if err := good.Validate(); err != nil {
		t.Fatalf("valid request: %v", err)
	}
	for _, tc := range []struct {
		name  string
		edit  func(r *iso8583msg.CardRequest)
		field int
	}{
		{"no PAN", func(r *iso8583msg.CardRequest) { r.PAN = "" }, 2},
		{"letters in PAN", func(r *iso8583msg.CardRequest) { r.PAN = "4242x24242424242" }, 2},
		{"bad expiry month", func(r *iso8583msg.CardRequest) { r.Expiry = "3013" }, 14},
		{"no STAN", func(r *iso8583msg.CardRequest) { r.STAN = "" }, 11},
		{"no terminal", func(r *iso8583msg.CardRequest) { r.TerminalID = "" }, 41},
		{"bad currency", func(r *iso8583msg.CardRequest) { r.Currency = "JPY" }, 49},
		{"bad original", func(r *iso8583msg.CardRequest) { r.Original = &iso8583msg.OriginalData{MTI: "01"} }, 90},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := *good
			tc.edit(&r)
			var fe *iso8583msg.FieldError
			if err := r.Validate(); !errors.As(err, &fe) || fe.Field != tc.field {
				t.Errorf("Validate() = %v, want an error for DE%d", err, tc.field)
			}
		})
	}
	// A refund may name its original instead of carrying the card.
	refund := sampleRequests()[1].(*iso8583msg.CardRequest)
	if err := refund.Validate(); err != nil {
		t.Errorf("refund without PAN: %v", err)
	}
}

func TestUnpackErrorHidesContent(t *testing.T) {
	raw, err := iso8583msg.Pack(sampleRequests()[0])
	if err != nil {
		t.Fatal(err)
	}
	// Cut the message inside DE48: DE2 unpacked fine, DE48 fails.
	cut := raw[:len(raw)-10]
	_, err = iso8583msg.Unpack(cut)
	var me *iso8583msg.MalformedError
	if !errors.As(err, &me) {
		t.Fatalf("Unpack of a cut message: %v, want *MalformedError", err)
	}
	if strings.Contains(err.Error(), "4242") {
		t.Errorf("error %q shows card digits", err)
	}
}

func TestUnsupportedMTI(t *testing.T) {
	raw, err := iso8583msg.Pack(&iso8583msg.NetworkRequest{MTI: "0300", Trace: trace(), Code: "001"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := iso8583msg.Unpack(raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iso8583msg.DecodeRequest(m); !errors.Is(err, iso8583msg.ErrUnsupportedMTI) {
		t.Errorf("DecodeRequest(0300) = %v, want ErrUnsupportedMTI", err)
	}
}

func TestMatchKey(t *testing.T) {
	auth := iso8583msg.MatchKey("0100", "T1", "000001")
	if got := iso8583msg.MatchKey("0110", "T1", "000001"); got != auth {
		t.Errorf("0110 key %q != 0100 key %q", got, auth)
	}
	if got := iso8583msg.MatchKey("0400", "T1", "000001"); got == auth {
		t.Error("a reversal with the same STAN matches the authorization")
	}
	if got := iso8583msg.MatchKey("0100", "T2", "000001"); got == auth {
		t.Error("another terminal with the same STAN matches")
	}
}
