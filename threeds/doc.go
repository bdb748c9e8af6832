// Package threeds holds the EMV 3-D Secure 2 messages (Core Spec 2.2.0;
// 2.1.0 accepted) that the gateway's 3DS Server (threeds/server), the
// Directory Server (threeds/ds) and the card company's ACS (threeds/acs)
// exchange: [AReq], [ARes], [CReq], [CRes], [RReq], [RRes], [PReq],
// [PRes] and [Erro], with the spec's JSON element names.
//
// # Decoding and validation
//
// [Decode] and the typed DecodeXxx functions check a message the way the
// spec asks a receiver to, and fail with an [*Error] carrying the code to
// answer with and the offending element (errorDetail):
//
//	101 not a JSON object, unknown messageType, or not the type expected here
//	102 messageVersion not supported ([SupportedVersions])
//	201 a required element missing (per channel, category and status)
//	202 a critical messageExtension (we know none)
//	203 a bad format or value, or an element sent as "" or null (Req 309)
//	204 an element present twice
//	304 a reserved ISO currency or country code
//	306 an MCC below 0742
//
// The components add the codes that need state: 301 (transaction not
// known), 303 (client not allowed), 305 (card not in a range), 307
// (serialNum), 402 (timed out), 403/404/405 (system failures). Each
// message's Validate checks it on its own; [ARes.ValidateFor] checks an
// ARes against its AReq and [AReq.ValidateFromDS] adds the DS's elements
// for the ACS. Unknown elements are ignored. [NewErro] builds the Erro
// answer from any error (a non-protocol error becomes 404 without its
// text).
//
// # Transport
//
// Messages between components are POSTed as JSON over HTTPS with mutual
// TLS: [Post] sends one and decodes the answer (an Erro answer comes back
// as an *Error with Erro set; 402 on timeout, 405 when unreachable);
// [ReadMessage] and [WriteMessage] are the server side. In the browser,
// the CReq and the final CRes travel as base64url form fields
// ([EncodeBrowser], [DecodeBrowserCReq], [DecodeBrowserCRes]) and the 3DS
// Method as threeDSMethodData ([MethodData]).
//
// # Components
//
// A 3DS Server talks to a DS through ds.Client (Authenticate: AReq →
// ARes; Prepare: PReq → PRes) and serves its threeDSServerURL with
// [ReadMessage], [WriteMessage] and [NewErro]. ds.New and acs.New
// build the DS and the ACS; both are http.Handlers, wired with the ACS's
// ranges (ds.RangesFor of acs.ACS.AReqURL and acs.ACS.CardRanges),
// the ACS's acs.ACS.VerifyCAVV as the issuer host's 3-D Secure hook,
// and http.Clients carrying client certificates of the dev CA. The
// commands "kessai ds" and "kessai acs" run them alone.
//
// # Card data
//
// The AReq carries the card number, in clear on the wire only:
// [AcctNumber] masks itself in fmt and slog, and an *Error never holds an
// element's value. The authentication value (CAVV) is a plain string:
// never log an ARes or RReq whole.
//
// # Version 2.3.1
//
// 2.3.1 is recognised ([Version231]) but answered with 102. Supporting it
// means: threeDSRequestorChallengeInd and the prior-authentication info
// as arrays, authenticationMethod, the PRes ranges restructured, and the
// Erro codes 308–315 (duplicate RReq 312, RReq without challenge 313),
// which the components already use the 2.2 codes for.
package threeds
