-- +goose Up
-- The simulated issuer's own database. Card numbers are never stored: an
-- account is keyed by an HMAC-SHA256 of its number under the issuer's key
-- and keeps the last four digits for display.
CREATE TABLE issuer_settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE issuer_accounts (
    id           TEXT PRIMARY KEY,
    last4        TEXT NOT NULL,
    brand        TEXT NOT NULL,
    credit_limit BIGINT NOT NULL,
    status       TEXT NOT NULL,
    forced_code  TEXT NOT NULL DEFAULT '',
    cvv_policy   TEXT NOT NULL DEFAULT 'any',
    cvv_hash     TEXT NOT NULL DEFAULT '',
    expiry       TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);

-- One credit line per account and currency (ISO 4217 numeric); there is
-- no conversion between currencies. posted is debits minus credits.
CREATE TABLE issuer_balances (
    account_id TEXT NOT NULL REFERENCES issuer_accounts (id),
    currency   TEXT NOT NULL,
    held       BIGINT NOT NULL DEFAULT 0,
    posted     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, currency)
);

-- Every financial request processed, by its network key (class, acquirer,
-- terminal, STAN, transmission time), with the answer given: repeats get
-- the same answer. state, held, captured and refunded follow the money of
-- authorizations, sales and refunds. A reversal whose original is unknown
-- leaves a row for the original (state 'orphaned', answer 68): the
-- original, if it comes late, is declined.
CREATE TABLE issuer_messages (
    msg_key         TEXT PRIMARY KEY,
    mti             TEXT NOT NULL,
    processing_code TEXT NOT NULL,
    account_id      TEXT NOT NULL DEFAULT '',
    amount          BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    response_code   TEXT NOT NULL,
    approval_code   TEXT NOT NULL DEFAULT '',
    rrn             TEXT NOT NULL DEFAULT '',
    cvv2_result     TEXT NOT NULL DEFAULT '',
    original_key    TEXT NOT NULL DEFAULT '',
    reference       TEXT NOT NULL DEFAULT '',
    terminal_id     TEXT NOT NULL DEFAULT '',
    merchant_id     TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL DEFAULT '',
    held            BIGINT NOT NULL DEFAULT 0,
    captured        BIGINT NOT NULL DEFAULT 0,
    refunded        BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

-- The ledger of holds and postings, in order.
CREATE TABLE issuer_ledger (
    seq           BIGINT PRIMARY KEY,
    account_id    TEXT NOT NULL,
    last4         TEXT NOT NULL,
    kind          TEXT NOT NULL,
    amount        BIGINT NOT NULL,
    currency      TEXT NOT NULL,
    msg_key       TEXT NOT NULL,
    txn_key       TEXT NOT NULL,
    reference     TEXT NOT NULL,
    rrn           TEXT NOT NULL,
    approval_code TEXT NOT NULL,
    terminal_id   TEXT NOT NULL,
    merchant_id   TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX issuer_ledger_reference ON issuer_ledger (reference, seq);
CREATE INDEX issuer_ledger_txn ON issuer_ledger (txn_key, seq);

-- +goose Down
DROP TABLE issuer_ledger;
DROP TABLE issuer_messages;
DROP TABLE issuer_balances;
DROP TABLE issuer_accounts;
DROP TABLE issuer_settings;
