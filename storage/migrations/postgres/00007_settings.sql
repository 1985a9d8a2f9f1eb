-- +goose Up
-- Deployment settings: the check value of the pseudonym secret, whether the
-- demo data was loaded, the last write of the health check.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
DROP TABLE settings;
