-- +goose Up
-- The cards each account has screened a charge of, for the fraud
-- attribute is_new_card (card new to the merchant). first_seen is BIGINT
-- microseconds since the Unix epoch, UTC.
CREATE TABLE fraud_cards (
    account_id  TEXT NOT NULL,
    livemode    BOOLEAN NOT NULL,
    fingerprint TEXT NOT NULL,
    first_seen  BIGINT NOT NULL,
    PRIMARY KEY (account_id, livemode, fingerprint)
);

-- +goose Down
DROP TABLE fraud_cards;
