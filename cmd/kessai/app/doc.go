// Package app wires Kessai's parts into one running platform: the database,
// the vault, the simulated card company and its network link, the HTTP API
// and the browser assets. It is the only package that imports them all; the
// kessai command and the end-to-end tests both start the platform through it.
package app
