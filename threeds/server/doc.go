// Package server is the 3DS Server inside the gateway: the acquirer-side
// component of EMV 3-D Secure 2.2.
//
// It serves the browser pages behind a charge's authorize_uri (GET and
// POST /payments/{id}/authorize): the page runs the issuer's 3DS Method in
// a hidden iframe (at most [Config.MethodTimeout], threeDSCompInd Y, N or
// U), collects browserInfo and posts it back; the server sends the AReq to
// the Directory Server and either finishes (frictionless) or hands the
// browser a CReq to post into a challenge iframe at the ACS. The ACS sends
// the RReq through the DS to [Server.ResultsHandler] (authoritative: it
// alone carries ECI and CAVV), then the CRes through the browser to the
// notification URL; the final page redirects to the merchant's return_uri,
// or, in a popup opened by Kessai.authorize, hands the result to the
// opener by postMessage. Every page works without JavaScript (plain form
// posts and links); no page has inline script, and each is sent with a
// strict Content-Security-Policy naming the ACS origins it needs.
//
// The state of each authentication lives in the database
// ([kessai.AuthenticationService]) and is committed at every step, so that
// a refresh, the back button, a double submit or a CRes before its RReq
// repeat no step: a step is taken only by the request that stores it.
package server
