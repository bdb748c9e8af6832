-- +goose Up
-- 3-D Secure authentications (threeds/server, docs/threeds.md): the 3DS
-- Server's record of each EMV 3DS transaction, kept apart from the charge
-- and committed at every step. Times are BIGINT microseconds since the Unix
-- epoch, UTC.
CREATE TABLE threeds_authentications (
    id                  TEXT PRIMARY KEY,
    charge_id           TEXT NOT NULL,
    account_id          TEXT NOT NULL,
    livemode            BOOLEAN NOT NULL,
    version             BIGINT NOT NULL,
    state               TEXT NOT NULL,
    flow                TEXT NOT NULL DEFAULT '',
    message_version     TEXT NOT NULL DEFAULT '',
    server_trans_id     TEXT NOT NULL UNIQUE,
    ds_trans_id         TEXT NOT NULL DEFAULT '',
    acs_trans_id        TEXT NOT NULL DEFAULT '',
    method_url          TEXT NOT NULL DEFAULT '',
    method_done         BOOLEAN NOT NULL DEFAULT FALSE,
    comp_ind            TEXT NOT NULL DEFAULT '',
    acs_url             TEXT NOT NULL DEFAULT '',
    trans_status        TEXT NOT NULL DEFAULT '',
    trans_status_reason TEXT NOT NULL DEFAULT '',
    eci                 TEXT NOT NULL DEFAULT '',
    -- The CAVV, sealed by the vault (SealSecret, bound to the id); NULL
    -- until the issuer gave one.
    cavv_ciphertext     BLOB,
    challenge_cancel    TEXT NOT NULL DEFAULT '',
    error_code          TEXT NOT NULL DEFAULT '',
    error_detail        TEXT NOT NULL DEFAULT '',
    display             TEXT NOT NULL DEFAULT '',
    deadline            BIGINT NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX threeds_authentications_charge ON threeds_authentications (charge_id);
-- The sweeper's work list: open authentications by deadline.
CREATE INDEX threeds_authentications_deadline ON threeds_authentications (deadline)
    WHERE state IN ('pending', 'method_pending', 'challenge_required', 'in_challenge');

-- The raw EMV 3DS messages of each authentication, in order (card number
-- masked, authentication value removed): the evidence of what was said.
CREATE TABLE threeds_messages (
    authentication_id TEXT NOT NULL,
    seq               BIGINT NOT NULL,
    type              TEXT NOT NULL,
    inbound           BOOLEAN NOT NULL,
    body              TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    PRIMARY KEY (authentication_id, seq)
);

-- The charge's summary of its authentication (JSON), shown as
-- three_d_secure.
ALTER TABLE charges ADD COLUMN three_d_secure TEXT;

-- +goose Down
ALTER TABLE charges DROP COLUMN three_d_secure;
DROP TABLE threeds_messages;
DROP TABLE threeds_authentications;
