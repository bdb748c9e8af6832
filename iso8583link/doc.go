// Package iso8583link is the gateway's side of the card network: a
// [kessai.NetworkLink] that speaks ISO 8583 (see iso8583msg) over one
// persistent TCP connection to the issuer host.
//
// # Connection
//
// The link dials the host, signs on (0800/001) and is online once the
// 0810 approves. An echo (0800/301) checks a connection that has been idle
// for EchoInterval; a failed echo or a read or write error closes the
// connection and the link reconnects with exponential backoff (and signs
// on again). [Link.Close] signs off (0800/002). Many requests share the
// connection; answers are matched on MTI class, terminal id (DE41) and
// STAN (DE11), and each request has its own deadline (Config.Timeout or
// the caller's, whichever is sooner).
//
// # Durability
//
// Every financial request is recorded through [kessai.NetworkStore]
// (sqlstore in the gateway database) before it is written to the socket,
// and its answer is recorded before the caller sees it; the card number
// and security code never are (the last four digits are). STANs are
// reserved per terminal in blocks, so that nodes sharing a database never
// reuse one. Network management messages (0800) are not recorded.
//
// A caller with its own write transactions can take both records into
// them ([kessai.PreparingLink]): [Link.PrepareAuthorize] assigns the trace
// and returns the pending record, which the caller stores with its own
// state (the charge in flight); [Link.SendAuthorize] sends it and returns
// the answer, which the caller records with its outcome. The charge
// service does so, and sends a charge captured at once as a sale (0200,
// processing code 00, posted by the issuer at once) instead of an
// authorization and a capture advice: one exchange, and two writes of the
// gateway's, per charge.
//
// # Reversals
//
// An authorization (0100), sale or refund (0200) that gets no usable answer —
// its deadline passes, the connection drops with it in flight, the answer
// is malformed or cannot be recorded — is given up, and its reversal is
// queued in the same transaction; the caller gets an error wrapping
// [kessai.ErrNetworkTimeout]. A void ([Link.Reverse]) queues one too. The
// queue is drained in the background: 0400 first, then 0401 repeats of the
// same message with exponential backoff (RetryMin to RetryMax), until a
// 0410 arrives that is not an outage answer (91, 96: the issuer did not
// process it) or RetryHorizon passes (the reversal is then marked expired
// and logged for manual reconciliation). The queue lives in the store, so
// a new link (after a restart, or on another node) drains what an old one
// left; a request left pending by a crashed sender is swept after
// StaleAfter and reversed the same way. Capture advices (0220) are not
// reversed: calling [Link.Capture] again repeats an unanswered advice as a
// 0221 with the same identity.
//
// # Failure codes
//
// Answers carry the Omise failure code of a decline ([FailureCode]); a
// charge whose authorization timed out fails with [FailureTimeout].
//
// # Card data
//
// A card number reaches the link only in the [kessai.AuthRequest] of one
// authorization and goes into that message only. Messages are logged only
// through iso8583msg.Log, which masks the card number, the expiry, the
// CVV2 and the CAVV.
package iso8583link
