-- +goose Up
-- What each decision was made from (the charge's attributes and its
-- velocity counts, JSON), for kessai fraud backtest. NULL for decisions
-- stored before this column.
ALTER TABLE fraud_decisions ADD COLUMN inputs TEXT;

-- +goose Down
ALTER TABLE fraud_decisions DROP COLUMN inputs;
