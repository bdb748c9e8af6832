-- +goose Up
-- Payments: charges, refunds, customers, events (the outbox), transactions
-- (the ledger). A charge costs few rows: the charge, one event per state
-- change and one transaction per capture or refund. Balances are summed from
-- transactions when read, so that no balance row is rewritten per payment.
-- Amounts are BIGINT in the currency's smallest unit; times BIGINT
-- microseconds since the Unix epoch, UTC.

-- Charges. The derived flags (paid, capturable, …) and the fees are not
-- stored: they follow from status, the amounts and the fee schedule
-- (fee_flat in the smallest unit, fee_rate and vat_rate in basis points).
-- inflight names the network operation sent and not yet answered ('' when
-- none): the recovery pass resolves those. card is a JSON snapshot of the
-- Card object (no cardholder data beyond last digits and brand); metadata,
-- platform_fee and webhook_endpoints are JSON. network_ref is the network
-- link's opaque reference of the authorization. version grows with every
-- update (optimistic concurrency between gateway nodes).
CREATE TABLE charges (
    id                        TEXT PRIMARY KEY,
    account_id                TEXT NOT NULL REFERENCES accounts (id),
    livemode                  BOOLEAN NOT NULL,
    version                   BIGINT NOT NULL,
    status                    TEXT NOT NULL,
    inflight                  TEXT NOT NULL DEFAULT '',
    inflight_at               BIGINT,
    amount                    BIGINT NOT NULL,
    currency                  TEXT NOT NULL,
    captured_amount           BIGINT NOT NULL DEFAULT 0,
    refunded_amount           BIGINT NOT NULL DEFAULT 0,
    fee_flat                  BIGINT NOT NULL DEFAULT 0,
    fee_rate                  BIGINT NOT NULL DEFAULT 0,
    vat_rate                  BIGINT NOT NULL DEFAULT 0,
    capture                   BOOLEAN NOT NULL,
    authorization_type        TEXT,
    description               TEXT,
    metadata                  TEXT NOT NULL DEFAULT '{}',
    card_id                   TEXT,
    card_last_digits          TEXT,
    card                      TEXT,
    token_id                  TEXT,
    customer_id               TEXT,
    transaction_id            TEXT,
    ip                        TEXT,
    return_uri                TEXT,
    authorize_uri             TEXT,
    authentication            TEXT,
    authenticated_by          TEXT,
    failure_code              TEXT,
    failure_message           TEXT,
    merchant_advice           TEXT,
    merchant_advice_code      TEXT,
    approval_code             TEXT,
    acquirer_reference_number TEXT,
    network_ref               TEXT NOT NULL DEFAULT '',
    platform_fee              TEXT,
    webhook_endpoints         TEXT,
    authorized_at             BIGINT,
    paid_at                   BIGINT,
    reversed_at               BIGINT,
    expired_at                BIGINT,
    expires_at                BIGINT,
    created_at                BIGINT NOT NULL,
    updated_at                BIGINT NOT NULL
);
CREATE INDEX charges_account ON charges (account_id, livemode, created_at);
CREATE INDEX charges_customer ON charges (customer_id) WHERE customer_id IS NOT NULL;
-- The recovery pass's work list: operations sent without a recorded answer.
CREATE INDEX charges_inflight ON charges (inflight_at) WHERE inflight <> '';
-- The expiry sweeper's work list.
CREATE INDEX charges_expiry ON charges (expires_at) WHERE status = 'pending';

-- Refunds. A refund is pending while it is on its way to the network, then
-- closed (or failed, and then it no longer counts in the charge's
-- refunded_amount).
CREATE TABLE refunds (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts (id),
    livemode       BOOLEAN NOT NULL,
    charge_id      TEXT NOT NULL REFERENCES charges (id),
    amount         BIGINT NOT NULL,
    currency       TEXT NOT NULL,
    status         TEXT NOT NULL,
    voided         BOOLEAN NOT NULL DEFAULT FALSE,
    transaction_id TEXT,
    metadata       TEXT NOT NULL DEFAULT '{}',
    network_ref    TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX refunds_charge ON refunds (charge_id, created_at);
CREATE INDEX refunds_account ON refunds (account_id, livemode, created_at);
CREATE INDEX refunds_pending ON refunds (created_at) WHERE status = 'pending';

-- Customers. Their cards are rows of the vault's cards table (customer_id).
-- A deleted customer is kept with deleted = TRUE.
CREATE TABLE customers (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    livemode     BOOLEAN NOT NULL,
    email        TEXT,
    description  TEXT,
    default_card TEXT,
    metadata     TEXT NOT NULL DEFAULT '{}',
    deleted      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX customers_account ON customers (account_id, livemode, created_at);

-- Events: the outbox. One row per state change, written in the transaction
-- that makes the change; data is the changed object's JSON right after it.
-- seq orders every event for feeds and webhook delivery.
CREATE TABLE events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    livemode   BOOLEAN NOT NULL,
    key        TEXT NOT NULL,
    object_id  TEXT NOT NULL,
    data       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX events_account ON events (account_id, livemode, created_at);
CREATE INDEX events_object ON events (object_id);

-- Transactions: the ledger. A credit per capture (net of fee and VAT), a
-- debit per refund.
CREATE TABLE transactions (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    livemode        BOOLEAN NOT NULL,
    direction       TEXT NOT NULL,
    key             TEXT NOT NULL,
    origin          TEXT NOT NULL,
    amount          BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    transferable_at BIGINT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX transactions_account ON transactions (account_id, livemode, created_at);

-- +goose Down
DROP TABLE transactions;
DROP TABLE events;
DROP TABLE customers;
DROP TABLE refunds;
DROP TABLE charges;
