// Package e2e holds end-to-end tests of the charge service: the official
// omise-go client against httpapi, the payment service, the vault, the
// ISO 8583 link and the simulated issuer, each on its own database. It has
// no code of its own; it is kept apart from package payment so that the
// service's tests do not depend on the network link.
package e2e
