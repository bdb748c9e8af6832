// Package web serves Kessai's browser assets, embedded in the binary:
// kessai.js, the tokenization library with the call shape of Omise.js
// (Kessai.setPublicKey, Kessai.createToken), and an example checkout page
// that uses it under a strict Content-Security-Policy.
//
// kessai.js posts the card as JSON straight to the vault's POST /tokens with
// the public key in Basic auth, by a CORS fetch without cookies. When the
// page and the vault are on different origins, the vault must answer the
// preflight: Access-Control-Allow-Origin (the page's origin or "*"),
// Access-Control-Allow-Methods: POST and Access-Control-Allow-Headers:
// Authorization, Content-Type ("*" does not cover Authorization).
//
// The HTTP server mounts [Script] at [ScriptPath] and [Example] at
// [ExamplePath], or [Handler] for both.
package web
