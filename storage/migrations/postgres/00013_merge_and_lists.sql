-- +goose Up
-- Duplicate records and paged lists (issue 13): a record merged into
-- another, persons made one (see the SQLite twin).
ALTER TABLE residents ADD COLUMN merged_into TEXT REFERENCES residents (id);
ALTER TABLE residents ADD COLUMN merged_at TEXT;
ALTER TABLE residents ADD COLUMN merged_by BIGINT REFERENCES users (id);
ALTER TABLE persons ADD COLUMN merged_into BIGINT REFERENCES persons (id);
CREATE INDEX residents_merged_into ON residents (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX persons_merged_into ON persons (merged_into) WHERE merged_into IS NOT NULL;

CREATE INDEX residents_org_birth_year ON residents (organisation_id, birth_year);

-- +goose Down
DROP INDEX residents_org_birth_year;
DROP INDEX persons_merged_into;
DROP INDEX residents_merged_into;
ALTER TABLE persons DROP COLUMN merged_into;
ALTER TABLE residents DROP COLUMN merged_by;
ALTER TABLE residents DROP COLUMN merged_at;
ALTER TABLE residents DROP COLUMN merged_into;
