package iso8583msg

import (
	"github.com/moov-io/iso8583"
	"github.com/moov-io/iso8583/encoding"
	"github.com/moov-io/iso8583/field"
	"github.com/moov-io/iso8583/padding"
	"github.com/moov-io/iso8583/prefix"
	"github.com/moov-io/iso8583/sort"
)

// Spec is the message specification of the Kessai network: moov's
// Spec87ASCII encodings, restricted to the fields of the package
// documentation, with DE48 as a TLV composite, DE70 added and DE90 split
// into its parts.
var Spec = &iso8583.MessageSpec{
	Name: "Kessai ISO 8583:1987 ASCII",
	Fields: map[int]field.Field{
		0: fixed(4, "Message Type Indicator"),
		1: field.NewBitmap(&field.Spec{
			Length:      8,
			Description: "Bitmap",
			Enc:         encoding.BytesToASCIIHex,
			Pref:        prefix.Hex.Fixed,
		}),
		2:  variable(19, prefix.ASCII.LL, "Primary Account Number"),
		3:  fixed(6, "Processing Code"),
		4:  numeric(12, "Transaction Amount"),
		7:  fixed(10, "Transmission Date & Time"),
		11: fixed(6, "Systems Trace Audit Number (STAN)"),
		12: fixed(6, "Local Transaction Time"),
		13: fixed(4, "Local Transaction Date"),
		14: fixed(4, "Expiration Date"),
		22: fixed(3, "Point of Sale (POS) Entry Mode"),
		25: fixed(2, "Point of Service Condition Code"),
		32: variable(11, prefix.ASCII.LL, "Acquiring Institution Identification Code"),
		37: fixed(12, "Retrieval Reference Number"),
		38: fixed(6, "Authorization Identification Response"),
		39: fixed(2, "Response Code"),
		41: padded(8, "Card Acceptor Terminal Identification"),
		42: padded(15, "Card Acceptor Identification Code"),
		48: field.NewComposite(&field.Spec{
			Length:      999,
			Description: "Additional Data (Private)",
			Pref:        prefix.ASCII.LLL,
			Tag: &field.TagSpec{
				Length:             2,
				Enc:                encoding.ASCII,
				Sort:               sort.StringsByInt,
				SkipUnknownTLVTags: true,
				PrefUnknownTLV:     prefix.ASCII.LL,
			},
			Subfields: map[string]field.Field{
				TagCVV2:             variable(4, prefix.ASCII.LL, "CVV2"),
				TagECI:              variable(2, prefix.ASCII.LL, "E-commerce Indicator"),
				TagCAVV:             variable(40, prefix.ASCII.LL, "CAVV"),
				TagThreeDSVersion:   variable(8, prefix.ASCII.LL, "3-D Secure Version"),
				TagDSTransactionID:  variable(36, prefix.ASCII.LL, "DS Transaction ID"),
				TagStoredCredential: variable(1, prefix.ASCII.LL, "Stored Credential Indicator"),
				TagReference:        variable(40, prefix.ASCII.LL, "Acquirer Reference"),
				TagCVV2Result:       variable(1, prefix.ASCII.LL, "CVV2 Result"),
			},
		}),
		49: fixed(3, "Transaction Currency Code"),
		70: fixed(3, "Network Management Information Code"),
		90: field.NewComposite(&field.Spec{
			Length:      42,
			Description: "Original Data Elements",
			Pref:        prefix.ASCII.Fixed,
			Tag:         &field.TagSpec{Sort: sort.StringsByInt},
			Subfields: map[string]field.Field{
				"1": fixed(4, "Original MTI"),
				"2": fixed(6, "Original STAN"),
				"3": fixed(10, "Original Transmission Date & Time"),
				"4": zeroPadded(11, "Original Acquirer ID"),
				"5": zeroPadded(11, "Original Forwarder ID"),
			},
		}),
	},
}

// NewMessage returns an empty message of [Spec].
func NewMessage() *iso8583.Message { return iso8583.NewMessage(Spec) }

func fixed(n int, desc string) *field.String {
	return field.NewString(&field.Spec{Length: n, Description: desc, Enc: encoding.ASCII, Pref: prefix.ASCII.Fixed})
}

func padded(n int, desc string) *field.String {
	return field.NewString(&field.Spec{Length: n, Description: desc, Enc: encoding.ASCII, Pref: prefix.ASCII.Fixed, Pad: padding.Right(' ')})
}

func zeroPadded(n int, desc string) *field.String {
	return field.NewString(&field.Spec{Length: n, Description: desc, Enc: encoding.ASCII, Pref: prefix.ASCII.Fixed, Pad: padding.Left('0')})
}

func numeric(n int, desc string) *field.Numeric {
	return field.NewNumeric(&field.Spec{Length: n, Description: desc, Enc: encoding.ASCII, Pref: prefix.ASCII.Fixed, Pad: padding.Left('0')})
}

func variable(n int, p prefix.Prefixer, desc string) *field.String {
	return field.NewString(&field.Spec{Length: n, Description: desc, Enc: encoding.ASCII, Pref: p})
}
