// Package webhook delivers events to merchants' endpoints: signed POSTs of
// the Event JSON, read from the events outbox in seq order, retried with
// exponential backoff for up to three days, every attempt recorded. Several
// nodes may run a [Worker] on one database: each delivery is claimed by one
// of them at a time, and every event is delivered at least once.
//
// Receivers verify a delivery with [Verify] and deduplicate by event id.
package webhook
