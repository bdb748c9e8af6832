package kessai

import (
	"context"
	"time"
)

// IdempotencyKey names one client-chosen Idempotency-Key of one account and
// mode: the same key string used by two accounts, or in test and live mode,
// names two different keys.
type IdempotencyKey struct {
	AccountID string
	Livemode  bool
	Key       string
}

// IdempotencyRecord is what an [IdempotencyStore] holds for a key: who holds
// it, which request it was first used for, and that request's response once
// it has finished.
type IdempotencyRecord struct {
	// Claim is a random id of the request that holds the key; Finish and
	// Release name it so that a request that lost its claim changes nothing.
	Claim string
	// RequestHash identifies the first request: its method, path and
	// canonical parameters, hashed.
	RequestHash string
	// Status is the HTTP status of the first response, or 0 while the first
	// request still runs.
	Status int
	// Body is the first response's body.
	Body []byte
	// CreatedAt is when the key was claimed; ExpiresAt when it is forgotten.
	CreatedAt time.Time
	ExpiresAt time.Time
}

// IdempotencyStore keeps the first response to each Idempotency-Key, so that
// a request retried with the same key is answered from the store instead of
// running twice. Implementations must be safe across several gateway nodes
// sharing one database.
type IdempotencyStore interface {
	// Claim reserves k for ttl for a request identified by requestHash.
	// It returns claimed=true and the new record when the caller now holds
	// the key: it must run the request, then call Finish (or Release if the
	// response must not be kept). Otherwise it returns claimed=false and the
	// key's current record, whatever its hash; Status 0 there means its
	// first request is still running. A record past its ExpiresAt, and a
	// claim that stayed unfinished for longer than lease (its node died), is
	// replaced by the new claim.
	Claim(ctx context.Context, k IdempotencyKey, requestHash string, ttl, lease time.Duration) (rec *IdempotencyRecord, claimed bool, err error)
	// Finish stores the response of the request holding claim on k. It
	// returns EConflict if that claim was lost (replaced after its lease).
	Finish(ctx context.Context, k IdempotencyKey, claim string, status int, body []byte) error
	// Release forgets k if claim still holds it unfinished, so that the
	// request may run again (after a 5xx). A finished record is kept.
	Release(ctx context.Context, k IdempotencyKey, claim string) error
	// DeleteExpired deletes the records past their ExpiresAt and returns
	// how many it deleted.
	DeleteExpired(ctx context.Context) (int64, error)
}
