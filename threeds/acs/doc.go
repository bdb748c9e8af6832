// Package acs is the simulated card company's EMV 3-D Secure Access
// Control Server: it decides each AReq with risk-based rules, runs the
// one-time-password challenge in the cardholder's browser, sends the
// RReq to the DS and issues the CAVVs the card company's issuer host
// accepts ([ACS.VerifyCAVV], the issuersim.Config.VerifyCAVV hook).
//
// # Decisions
//
// In order: the test cards ([TestCards]; the Omise 3-D Secure failure
// cards end in N); the channel (the app channel and 3RI are not
// supported: U); a requestor challenge mandate (threeDSRequestorChallengeInd
// 04: C mandated) or preference (03: C); an amount above the card's
// threshold ([ACS.SetThreshold], default [DefaultThreshold] minor units);
// the merchant's risk data (shipping to another address, gift cards,
// suspicious account activity); a device (fingerprint of browserInfo) the
// cardholder never authenticated from. Otherwise Y, or I when the
// requestor asked for an exemption (05, 06, 07). Y and A carry an ECI
// (Mastercard 02/01, other brands 05/06) and a CAVV (N, U and R carry
// the ECI 07, Mastercard 00, alone): the first 20 bytes
// of an HMAC-SHA256 under [Config.Key] over the dsTransID, last four
// digits, amount, currency and ECI.
//
// # Challenge
//
// The CReq must come within 30 s of the ARes ([Config.CReqTimeout]): a
// later one gets Erro 402 posted to the notificationURL, and the ACS has
// already sent an RReq N (reason 14, challengeCancel 05). The page (plain
// HTML forms, no JavaScript needed, strict CSP with a per-response nonce)
// asks for the code (input "otp"; [TestOTP] in test mode, and the page
// says so) and has a cancel button; at most [Config.MaxTries] codes, each
// page open at most 10 minutes ([Config.ChallengeTimeout], then RReq N,
// reason 14, challengeCancel 04). When the challenge ends, the RReq goes
// to the DS first and only then the final CRes through the browser to the
// notificationURL (an auto-submitting form with a button for browsers
// without JavaScript). Every step is idempotent: a repeated CReq shows the
// current page, a stale form is not counted, a finished challenge posts
// the same CRes again. An undelivered RReq is retried every
// [Config.RReqRetry].
//
// # State
//
// Transactions, known devices and thresholds are kept in memory: an ACS
// restart forgets them (every device is new again). Card numbers are not
// kept: cards are known by an HMAC under the ACS key.
package acs
