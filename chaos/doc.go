// Package chaos is the crash and fault suites behind `kessai chaos`: it
// runs a gateway (`kessai dev` with an external card company) in a child
// process, drives the mixed load against it while recording every answer
// the client saw, breaks things on purpose (SIGKILL of the gateway; a
// misbehaving card company; the database gone), and then checks that
// nothing the client saw acknowledged was lost or changed, that no charge
// was authorized twice, that the card company holds nothing the gateway
// does not know about (package reconcile), and that every event reached
// the merchant's webhook endpoint.
//
// The card company ([issuersim]) runs in the driver's process, so that it
// survives the gateway's deaths and sees everything that reached it.
package chaos
