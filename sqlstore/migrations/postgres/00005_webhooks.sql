-- +goose Up
-- Webhook signing secrets, per account and mode: 32 random bytes, base64.
-- The current secret has no expires_at; rolling sets the old one's
-- expires_at (24 h later), and until then both sign.
CREATE TABLE webhook_secrets (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    livemode   BOOLEAN NOT NULL,
    secret     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    PRIMARY KEY (account_id, livemode, secret)
);

-- The delivery cursor: every event with a seq up to cursor_seq has its
-- deliveries fanned out. Nodes move it forward with conditional updates.
CREATE TABLE webhook_cursor (
    name       TEXT PRIMARY KEY,
    cursor_seq BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- Events from before webhooks existed are not delivered.
INSERT INTO webhook_cursor (name, cursor_seq, updated_at)
SELECT 'deliveries', COALESCE(MAX(seq), 0), 0 FROM events;

-- Deliveries: one per event, endpoint and round (0 for the first; each
-- redelivery on demand adds a round). state is pending, delivered or failed;
-- a redelivery also writes a row with uri '' and state 'resend' that only
-- `kessai listen` reads. A node claims a due pending row (claimed_until in
-- the past) with a conditional update; attempts counts the tries made.
CREATE TABLE webhook_deliveries (
    id            TEXT PRIMARY KEY,
    event_id      TEXT NOT NULL,
    event_seq     BIGINT NOT NULL,
    account_id    TEXT NOT NULL,
    livemode      BOOLEAN NOT NULL,
    uri           TEXT NOT NULL,
    state         TEXT NOT NULL,
    round         INTEGER NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_at       BIGINT NOT NULL,
    claimed_until BIGINT NOT NULL DEFAULT 0,
    claim         TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (event_id, uri, round)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_at);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);

-- Attempts: every try of a delivery, shown as the event's
-- webhook_deliveries. status is the HTTP status (0: no answer; error says
-- why); response is at most 1 KiB of the answer's body.
CREATE TABLE webhook_attempts (
    id          TEXT PRIMARY KEY,
    delivery_id TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    uri         TEXT NOT NULL,
    status      INTEGER NOT NULL,
    error       TEXT NOT NULL DEFAULT '',
    latency_us  BIGINT NOT NULL,
    response    TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_event ON webhook_attempts (event_id, created_at);

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_cursor;
DROP TABLE webhook_secrets;
