-- +goose Up
-- The account's 3-D Secure settings: which charges are authenticated
-- ('required' or 'when_asked'; NULL: by the account's currency) and what an
-- unavailable authentication (U) does ('decline' or 'authorize'; NULL:
-- decline).
ALTER TABLE accounts ADD COLUMN three_d_secure TEXT;
ALTER TABLE accounts ADD COLUMN three_d_secure_unavailable TEXT;

-- +goose Down
ALTER TABLE accounts DROP COLUMN three_d_secure_unavailable;
ALTER TABLE accounts DROP COLUMN three_d_secure;
