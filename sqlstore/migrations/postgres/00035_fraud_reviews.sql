-- +goose Up
-- The review queue (GET /fraud/reviews) selects an account's decisions by
-- action.
CREATE INDEX fraud_decisions_action ON fraud_decisions (account_id, livemode, action);

-- +goose Down
DROP INDEX fraud_decisions_action;
