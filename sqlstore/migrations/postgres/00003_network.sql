-- +goose Up
-- The network link's durable state (iso8583link). Every financial request
-- is recorded here before it is sent; the card number and security code
-- never are (last_digits only).
CREATE TABLE network_messages (
    id              TEXT PRIMARY KEY,
    reference       TEXT NOT NULL,
    mti             TEXT NOT NULL,
    processing_code TEXT NOT NULL,
    stan            TEXT NOT NULL,
    transmitted_at  BIGINT NOT NULL,
    acquirer_id     TEXT NOT NULL,
    terminal_id     TEXT NOT NULL,
    merchant_id     TEXT NOT NULL,
    rrn             TEXT NOT NULL,
    amount          BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    last_digits     TEXT NOT NULL,
    original_id     TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,
    response_code   TEXT NOT NULL DEFAULT '',
    approval_code   TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    answered_at     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX network_messages_reference ON network_messages (reference, created_at);
CREATE INDEX network_messages_status ON network_messages (status, created_at);

-- The last trace number (STAN) handed out per terminal; nodes reserve
-- blocks of them.
CREATE TABLE network_stans (
    terminal_id TEXT PRIMARY KEY,
    last        BIGINT NOT NULL
);

-- Reversals to deliver (store and forward), retried until a 0410 arrives.
-- stan and transmitted_at are fixed when queued: repeats resend the same
-- message.
CREATE TABLE network_reversals (
    id              TEXT PRIMARY KEY,
    message_id      TEXT NOT NULL UNIQUE REFERENCES network_messages (id),
    reason          TEXT NOT NULL,
    stan            TEXT NOT NULL,
    transmitted_at  BIGINT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    response_code   TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    done_at         BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX network_reversals_due ON network_reversals (status, next_attempt_at);

-- +goose Down
DROP TABLE network_reversals;
DROP TABLE network_stans;
DROP TABLE network_messages;
