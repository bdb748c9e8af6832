// Package iso8583msg defines the ISO 8583:1987 messages of the Kessai card
// network, shared by the gateway's link (iso8583link) and the simulated
// issuer host (issuersim).
//
// # Framing
//
// Each message travels as a 2-byte big-endian length followed by the message:
// a 4-digit ASCII MTI, a hex-ASCII bitmap (16 characters, a second 16 when any
// field above 64 is present) and the fields in ascending order. See
// [ReadFrame] and [WriteFrame]; frames longer than [MaxFrame] are refused.
//
// # Fields
//
// The field definitions follow moov's Spec87ASCII (ASCII encoding, ASCII
// length prefixes), restricted to the fields the network uses:
//
//	DE   format   content
//	 2   n..19 LL primary account number (PAN)
//	 3   n6       processing code: 000000 purchase, 200000 refund
//	 4   n12      amount in the currency's minor unit (JPY has none)
//	 7   n10      transmission date and time, MMDDhhmmss UTC
//	11   n6       systems trace audit number (STAN), per terminal
//	12   n6       local time hhmmss (UTC)
//	13   n4       local date MMDD (UTC)
//	14   n4       expiry date YYMM
//	22   n3       POS entry mode: 812 e-commerce, 102 credential on file
//	25   n2       POS condition: 59 e-commerce
//	32   n..11 LL acquirer institution id
//	37   an12     retrieval reference number (RRN), set by the acquirer
//	38   an6      approval code, set by the issuer
//	39   an2      response code (see the constants in response.go)
//	41   ans8     terminal id, space padded
//	42   ans15    merchant id, space padded
//	48   ans..999 LLL private data, a TLV list (below)
//	49   n3       currency, ISO 4217 numeric
//	70   n3       network management code: 001 sign-on, 002 sign-off, 301 echo
//	90   n42      original data elements: MTI(4) STAN(6) DE7(10)
//	              acquirer id(11, zero padded) forwarder id(11, zero padded)
//
// A message with a field outside this list does not unpack.
//
// # DE48 private layout
//
// DE48 is a list of elements, each a 2-digit tag, a 2-digit length and the
// value. Tags are written in ascending order; unknown tags are skipped when
// reading, so that either side may add tags.
//
//	tag  content
//	01   CVV2 / CVC2 / CID, 3 or 4 digits (requests only; never stored)
//	02   e-commerce indicator (ECI), 2 digits: 05 full 3-D Secure
//	     authentication, 06 attempted, 07 none
//	03   CAVV (3-D Secure authentication value), up to 40 characters
//	04   3-D Secure protocol version, such as 2.2.0
//	05   3-D Secure directory server transaction id
//	06   stored credential indicator: I initial (the card is being stored),
//	     C cardholder-initiated with a stored card, M merchant-initiated
//	07   acquirer reference (the gateway's charge or refund id)
//	10   CVV2 result (responses only): M match, N no match, P not processed,
//	     U issuer unable to check
//
// # Messages
//
// Each message pair has a typed struct: [CardRequest] / [CardResponse] for
// 0100/0110 (authorization: a hold on the cardholder's credit) and 0200/0210
// (financial: a refund with processing code 200000, or a sale with 000000),
// [CaptureAdvice] / [CaptureAdviceResponse] for 0220/0230, [ReversalRequest]
// / [ReversalResponse] for 0400/0410, and [NetworkRequest] /
// [NetworkResponse] for 0800/0810.
//
// The capture model is dual-message: a 0100 places a hold, and a 0220
// advice names it in DE90 and posts the captured amount (at most the held
// amount; the rest of the hold is released); a charge captured at once is
// a sale instead, a 0200 with processing code 000000 that the issuer
// decides like an authorization and posts at once. A 0400 reversal names its
// original in DE90 and undoes it: an authorization's hold is released (its
// capture is posted back if it was captured), a refund's credit is taken
// back. Repeats (0101, 0201, 0221, 0401) resend a request unchanged after a
// lost answer. The gateway resolves a lost 0100 or 0200 answer by reversal,
// never by repeating it.
//
// # Matching and identity
//
// A response echoes DE7, DE11, DE32, DE41 and DE42 of its request. The
// requester matches responses on MTI class, DE41 and DE11 ([MatchKey]), so a
// reversal and an authorization with the same STAN never collide. The
// durable identity of a request, used by the issuer for idempotency, is the
// MTI class with DE32, DE41, DE11 and DE7.
//
// # Card data
//
// The PAN, the CVV2 and the CAVV are held in types that mask themselves
// ([PAN], [Sensitive]); whole messages are logged only through [Log] and
// [Describe], which mask DE2, DE14 and the DE48 CVV2 and CAVV. Unpack errors
// name the failing field, never its content.
package iso8583msg
