// Package kessai holds the domain of the Kessai payment platform: the objects a
// merchant sees (accounts, keys, tokens, cards, charges, refunds, customers,
// events), the one error type every part returns, and the service interfaces
// that the adapter packages implement (sqlstore, vault, httpapi, …).
//
// This package imports only the standard library and [card]; wiring happens in
// cmd/kessai.
package kessai
