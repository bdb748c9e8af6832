-- +goose Up
-- Fraud screening (fraud/, docs/fraud.md). Times are BIGINT microseconds
-- since the Unix epoch, UTC.

-- Rules of an account and mode: custom rules, and the settings (enabled,
-- shadow, description) of built-in rules, which keep their fixed ids
-- ("frul_default_…"). rule is the source as written; it is compiled when
-- saved and again when loaded, never per payment.
CREATE TABLE fraud_rules (
    account_id  TEXT NOT NULL,
    livemode    BOOLEAN NOT NULL,
    id          TEXT NOT NULL,
    rule        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    enabled     BOOLEAN NOT NULL,
    shadow      BOOLEAN NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (account_id, livemode, id)
);

-- Per-rule counters, added to in batches by each gateway node.
CREATE TABLE fraud_rule_stats (
    account_id TEXT NOT NULL,
    livemode   BOOLEAN NOT NULL,
    rule_id    TEXT NOT NULL,
    fired      BIGINT NOT NULL DEFAULT 0,
    blocked    BIGINT NOT NULL DEFAULT 0,
    reviewed   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, livemode, rule_id)
);

-- Block and allow list entries. value is normalized (lowercase email,
-- uppercase country, canonical IP or CIDR, 6-digit BIN).
CREATE TABLE fraud_list_items (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    livemode   BOOLEAN NOT NULL,
    list       TEXT NOT NULL,
    type       TEXT NOT NULL,
    value      TEXT NOT NULL,
    enabled    BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, livemode, list, type, value)
);
CREATE INDEX fraud_list_items_account ON fraud_list_items (account_id, livemode, created_at);

-- The decision of each screened charge: the enforced action, whether 3-D
-- Secure was requested, the score, and JSON arrays of the fired rules and
-- the top reasons.
CREATE TABLE fraud_decisions (
    charge_id   TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL,
    livemode    BOOLEAN NOT NULL,
    action      TEXT NOT NULL,
    request_3ds BOOLEAN NOT NULL,
    risk_score  INTEGER NOT NULL,
    risk_level  TEXT NOT NULL,
    rules       TEXT NOT NULL,
    reasons     TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- +goose Down
DROP TABLE fraud_decisions;
DROP TABLE fraud_list_items;
DROP TABLE fraud_rule_stats;
DROP TABLE fraud_rules;
