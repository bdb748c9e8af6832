-- +goose Up
-- The retention sweep of the raw 3-D Secure messages reads them by age.
CREATE INDEX threeds_messages_created ON threeds_messages (created_at);

-- +goose Down
DROP INDEX threeds_messages_created;
