-- +goose Up
-- A worker's resident list opens on the organisation's most recently changed
-- records (ties by rowid, the list's cursor).
CREATE INDEX residents_org_updated ON residents (organisation_id, updated_at, rowid);

-- +goose Down
DROP INDEX residents_org_updated;
