-- +goose Up
-- Duplicate records and paged lists (issue 13).
--
-- A coordinator merges a record into another of the organisation: its
-- contacts and handovers move to the record kept, and the merged record
-- stays, unchanged, as the earlier version (merged_into points at the
-- record kept; lists and searches leave it out). When the two records
-- were of different persons, the persons become one: merged_into on
-- persons sends the old pseudonym to the person kept.
ALTER TABLE residents ADD COLUMN merged_into TEXT REFERENCES residents (id);
ALTER TABLE residents ADD COLUMN merged_at TEXT;
ALTER TABLE residents ADD COLUMN merged_by INTEGER REFERENCES users (id);
ALTER TABLE persons ADD COLUMN merged_into INTEGER REFERENCES persons (id);
CREATE INDEX residents_merged_into ON residents (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX persons_merged_into ON persons (merged_into) WHERE merged_into IS NOT NULL;

-- "Bestaat deze bewoner al?": the organisation's records born in a year.
CREATE INDEX residents_org_birth_year ON residents (organisation_id, birth_year);

-- +goose Down
DROP INDEX residents_org_birth_year;
DROP INDEX persons_merged_into;
DROP INDEX residents_merged_into;
ALTER TABLE persons DROP COLUMN merged_into;
ALTER TABLE residents DROP COLUMN merged_by;
ALTER TABLE residents DROP COLUMN merged_at;
ALTER TABLE residents DROP COLUMN merged_into;
