// Package reconcile compares the gateway's record of its payments with the
// card company's: the charges and refunds in the gateway database against
// the holds and postings in the issuer host's ledger (issuersim), and lists
// every mismatch.
//
// # Matching
//
// The network link sends the charge id as the reference of an
// authorization and of everything that follows it (capture advice,
// reversal), and the refund id as the reference of a refund; the issuer
// keeps that reference on every ledger entry (DE48 tag 07). So the issuer's
// position under a reference is:
//
//	held      holds − releases − captures of held authorizations
//	posted    captures − capture reversals
//	credited  refunds − refund reversals
//
// and each gateway record says what it should be:
//
//	charge pending, authorized   held = amount, posted = 0
//	charge pending, unauthorized nothing
//	charge successful            posted = captured_amount, held = 0
//	charge failed, reversed,     nothing
//	expired
//	refund closed                credited = amount
//	refund failed                nothing
//
// Money the issuer moved under a reference the gateway does not know is a
// mismatch too ([UnknownReference]).
//
// # What is left out
//
// A charge or refund with an operation in flight (the gateway's in-flight
// mark, a pending refund, a request the link has sent and not settled) or
// with a reversal still queued at the link is not compared: its position at
// the issuer is still moving. Such records are counted in
// [Report.InFlight], and the queued reversals in [Report.PendingReversals];
// [Wait] waits for the queue to drain and the link's requests to settle.
//
// [Run] reads the gateway first and the ledger second, without a common
// snapshot, so that a payment made while it runs may look mismatched; every
// mismatch is therefore read again, reference by reference, and reported
// only if it is still there.
//
// Reports carry ids, statuses and amounts only, never card data.
package reconcile
