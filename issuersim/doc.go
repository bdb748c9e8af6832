// Package issuersim is a simulated card company: an ISO 8583 issuer host
// that the gateway's network link talks to (see iso8583msg for the
// messages). It runs inside `kessai dev`, alone as `kessai issuer`, and in
// tests; a real acquirer connection replaces it in production.
//
// # Accounts
//
// Cardholder accounts live in the host's own database (any sqlstore DSN,
// migrated with the embedded migrations under the version table
// [VersionTable]). A card number is never stored: an account is keyed by
// an HMAC-SHA256 of the number under the host's key ([Config.HashKey], or
// a random key made on first start and kept in the database), and keeps
// its last four digits and brand for display. A security code, when an
// account has one ([Server.SetAccount]), is kept as an HMAC too.
//
// An account has a credit line per currency (no conversion), holds and
// postings, a status (active, lost, stolen, frozen, closed) and optionally
// a fixed expiry, a security code or a forced response code. Any
// Luhn-valid number the host has not seen gets an account with
// [DefaultLimit] on first use; the test cards of the Omise API get theirs
// with their documented outcome:
//
//	outcome                  cards (omise-api.md §7)                  answer
//	insufficient_fund        4111111111140011 5555551111110011 …      51 (credit line 0)
//	stolen_or_lost_card      4111111111130012 3530111111180012        41 lost
//	                         5555551111100012 6250947000000022        43 stolen
//	failed_processing        4111111111120013 5555551111190013 …      96
//	payment_rejected         4111111111110014 5555551111180014 …      05
//	failed_fraud_check       4111111111190016 5555551111160016 …      59
//	invalid_account_number   4111111111180017 5555551111150017 …      14
//	invalid_security_code    4111111111160001 5555551111130001 …      N7, CVV2 result N
//	successful               4242424242424242 and the others          00
//
// # Decisions
//
// An authorization (0100) is checked in this order: an orphan reversal on
// file (68), Luhn (14), expiry in the past (54), account status (41, 43,
// 62, 14), forced code, expiry on file (54), security code (N7 with CVV2
// result N; M when it matches, no result when none was sent), the 3-D
// Secure hook ([Config.VerifyCAVV]), and the credit left (51). An approval
// holds the amount (a zero amount only verifies the card). A capture
// advice (0220) posts a hold, a refund (0200, processing code 20) credits
// the card, a sale (0200, processing code 00) is held and posted at once,
// and a reversal (0400/0401) undoes its original; see iso8583msg for the
// message model and each method's documentation for the codes.
//
// # Idempotency
//
// Every financial request is stored with its answer under its network key
// (MTI class, acquirer id, terminal id, STAN, transmission time). A repeat
// (0101, 0201, 0221, 0401) gets the stored answer without being processed
// again; another request with a known key gets 94. Reversals are
// idempotent whatever their MTI. A reversal whose original is unknown is
// acknowledged and remembered, and the original is declined with 68 if it
// arrives later.
//
// # Ledger
//
// Every hold, release, capture, refund and reversal is an entry of a
// ledger ([Server.Ledger], [ReadLedger]) carrying the acquirer's
// reference (DE48 tag 07, the gateway's charge or refund id), the RRN and
// the approval code, for reconciliation.
//
// # Storage
//
// Decisions read a balance or a stored answer and act on it, so the host's
// write transactions run one at a time: SQLite has a single writer, and on
// PostgreSQL each one takes a transaction-scoped advisory lock. One host
// process owns its database (it numbers ledger entries in memory); the
// database may be SQLite even when the gateway's is PostgreSQL.
//
// # Fault injection
//
// [Faults] (in [Config], and changeable at run time with
// [Server.SetFaults]) add latency, drop answers, close the connection
// instead of answering, or answer a share of requests with 91 or 96
// without processing them. [Server.DisconnectAll] drops every connection.
package issuersim
