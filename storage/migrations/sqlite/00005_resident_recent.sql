-- +goose Up
-- A worker's resident list opens on the organisation's most recently changed
-- records; without this index every open sorted all of them.
CREATE INDEX residents_org_updated ON residents (organisation_id, updated_at);

-- +goose Down
DROP INDEX residents_org_updated;
