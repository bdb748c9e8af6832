-- +goose Up
-- The retention sweep deletes attempts by age.
CREATE INDEX webhook_attempts_created ON webhook_attempts (created_at);

-- +goose Down
DROP INDEX webhook_attempts_created;
