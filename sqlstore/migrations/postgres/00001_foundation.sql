-- +goose Up
CREATE TABLE accounts (
    id               TEXT PRIMARY KEY,
    email            TEXT NOT NULL,
    country          TEXT NOT NULL,
    currency         TEXT NOT NULL,
    team             TEXT NOT NULL DEFAULT '',
    webhook_uri_test TEXT,
    webhook_uri_live TEXT,
    created_at       BIGINT NOT NULL
);

-- API keys are stored as SHA-256 hashes (keys have 95 bits of entropy, so a
-- fast hash is enough); hint is "skey_test_…abcd" for listings.
CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    kind       TEXT NOT NULL,
    livemode   BOOLEAN NOT NULL,
    key_hash   TEXT NOT NULL UNIQUE,
    hint       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT
);
CREATE INDEX api_keys_account ON api_keys (account_id, kind, livemode);

-- Idempotency-Key records: the first response to a POST or PATCH, replayed
-- until expires_at (24 h). status 0 means the first request is still running;
-- claim is the random id of the request holding the key, and created_at when
-- it claimed it (a claim unfinished past its lease may be taken over).
CREATE TABLE idempotency_keys (
    account_id   TEXT NOT NULL,
    livemode     BOOLEAN NOT NULL,
    idem_key     TEXT NOT NULL,
    claim        TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    response     BYTEA,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    PRIMARY KEY (account_id, livemode, idem_key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

-- The vault's keysets (tink), each encrypted under the key-encryption key
-- (KEK) that kek_id names, with "kessai/vault/keyset/<name>" as associated
-- data. version grows by one with every change (a rotation), so that a node
-- can tell that its copy is stale.
CREATE TABLE vault_keysets (
    name       TEXT PRIMARY KEY,
    version    BIGINT NOT NULL,
    kek_id     TEXT NOT NULL,
    keyset     BYTEA NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Cards: the number only as AES-256-GCM ciphertext (tink, with its 5-byte
-- key-ID prefix; the card id as associated data). key_id is the tink key that
-- encrypted it, so that rotation can be counted and resumed. bin (the first
-- six digits) and last_digits are kept in clear, as PCI DSS allows;
-- fingerprint is base64(HMAC-SHA256 PRF(number)).
CREATE TABLE cards (
    id                  TEXT PRIMARY KEY,
    account_id          TEXT NOT NULL REFERENCES accounts (id),
    livemode            BOOLEAN NOT NULL,
    customer_id         TEXT,
    number_ciphertext   BYTEA NOT NULL,
    key_id              BIGINT NOT NULL,
    fingerprint         TEXT NOT NULL,
    brand               TEXT NOT NULL,
    bin                 TEXT NOT NULL,
    last_digits         TEXT NOT NULL,
    name                TEXT NOT NULL,
    expiration_month    INTEGER NOT NULL,
    expiration_year     INTEGER NOT NULL,
    country             TEXT NOT NULL,
    financing           TEXT NOT NULL,
    bank                TEXT NOT NULL,
    street1             TEXT,
    street2             TEXT,
    city                TEXT,
    state               TEXT,
    postal_code         TEXT,
    phone_number        TEXT,
    email               TEXT,
    security_code_check BOOLEAN NOT NULL DEFAULT FALSE,
    deleted             BOOLEAN NOT NULL DEFAULT FALSE,
    created_at          BIGINT NOT NULL
);
CREATE INDEX cards_account ON cards (account_id, livemode, created_at);
CREATE INDEX cards_customer ON cards (customer_id) WHERE customer_id IS NOT NULL;
CREATE INDEX cards_fingerprint ON cards (fingerprint);

-- Tokens: single use (used, used_at). The security code is kept encrypted
-- (the token id as associated data) only until its first reveal to the card
-- network or until expires_at; then security_code_ciphertext and key_id are
-- set to NULL.
CREATE TABLE tokens (
    id                       TEXT PRIMARY KEY,
    account_id               TEXT NOT NULL REFERENCES accounts (id),
    livemode                 BOOLEAN NOT NULL,
    card_id                  TEXT NOT NULL REFERENCES cards (id),
    security_code_ciphertext BYTEA,
    key_id                   BIGINT,
    used                     BOOLEAN NOT NULL DEFAULT FALSE,
    used_at                  BIGINT,
    charge_status            TEXT NOT NULL DEFAULT 'unknown',
    client_ip                TEXT NOT NULL DEFAULT '',
    created_at               BIGINT NOT NULL,
    expires_at               BIGINT NOT NULL
);
-- The sweeper's work list: tokens that still hold a security code.
CREATE INDEX tokens_code_expiry ON tokens (expires_at) WHERE security_code_ciphertext IS NOT NULL;

-- +goose Down
DROP TABLE tokens;
DROP TABLE cards;
DROP TABLE vault_keysets;
DROP TABLE idempotency_keys;
DROP TABLE api_keys;
DROP TABLE accounts;
