-- +goose Up
-- Releases of reach figures (issue 11). Programme staff make a draft of a
-- period: its figures computed, protected and frozen; they publish it or
-- discard it. Every release of a year is kept, discarded drafts too (they
-- were seen), because each new one is protected against all of them.
--
-- tables are the five tables as served (their status, version and dates
-- come from the row). record is the internal release record
-- (cases.ReleaseRecord): the true counts of the year at the moment the
-- figures were computed and how each cell was shown. It is never served.
-- origin says how a release came to be: 'protected' (a draft made by
-- ProtectRelease), 'columns' (the sub-period columns of a published
-- half-year or year, frozen as a release of the sub-period: its record is
-- the parent's) or 'legacy' (a version published before this migration:
-- record holds its old figures, of its own period only).
CREATE TABLE reach_releases (
    id            INTEGER PRIMARY KEY,
    period        TEXT NOT NULL,
    year          INTEGER NOT NULL,
    version       INTEGER NOT NULL CHECK (version > 0),
    status        TEXT NOT NULL CHECK (status IN ('draft', 'published', 'discarded')),
    origin        TEXT NOT NULL DEFAULT 'protected' CHECK (origin IN ('protected', 'columns', 'legacy')),
    parent_id     INTEGER REFERENCES reach_releases (id),
    created_at    TEXT NOT NULL,
    created_by    INTEGER REFERENCES users (id),
    published_at  TEXT,
    published_by  INTEGER REFERENCES users (id),
    discarded_at  TEXT,
    discarded_by  INTEGER REFERENCES users (id),
    threshold     INTEGER NOT NULL,
    rounding_base INTEGER NOT NULL,
    tables        TEXT NOT NULL,
    record        TEXT NOT NULL,
    UNIQUE (period, version),
    CHECK ((status = 'published') = (published_at IS NOT NULL)),
    CHECK ((status = 'discarded') = (discarded_at IS NOT NULL)),
    CHECK (origin <> 'columns' OR parent_id IS NOT NULL)
) STRICT;
CREATE INDEX reach_releases_year ON reach_releases (year, id);

-- A published or discarded release never changes; a draft changes only by
-- being published or discarded, its figures as they were.
-- +goose StatementBegin
CREATE TRIGGER reach_releases_frozen BEFORE UPDATE ON reach_releases
WHEN OLD.status <> 'draft' OR NEW.status = 'draft'
    OR NEW.tables IS NOT OLD.tables OR NEW.record IS NOT OLD.record
    OR NEW.period IS NOT OLD.period OR NEW.version IS NOT OLD.version OR NEW.year IS NOT OLD.year
    OR NEW.origin IS NOT OLD.origin OR NEW.created_at IS NOT OLD.created_at
    OR NEW.threshold IS NOT OLD.threshold OR NEW.rounding_base IS NOT OLD.rounding_base
BEGIN
    SELECT RAISE(ABORT, 'reach releases are frozen: make a new draft');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER reach_releases_kept BEFORE DELETE ON reach_releases
BEGIN
    SELECT RAISE(ABORT, 'reach releases are kept');
END;
-- +goose StatementEnd

-- Versions published before releases existed keep answering, as they were.
INSERT INTO reach_releases (period, year, version, status, origin, created_at, created_by, published_at,
    published_by, threshold, rounding_base, tables, record)
SELECT period, CAST(substr(period, 1, 4) AS INTEGER), version, 'published', 'legacy', published_at, published_by,
    published_at, published_by, threshold, rounding_base, tables, figures
FROM reach_publications ORDER BY id;
DROP TRIGGER reach_publications_kept;
DROP TRIGGER reach_publications_frozen;
DROP TABLE reach_publications;

-- A programme's age and gender breakdowns now read only the records of the
-- programme's own organisation (cases.AttrsFor): persons with records in
-- more than one organisation are recounted on the next refresh (erased
-- records keep what they were counted with).
INSERT OR IGNORE INTO reach_dirty_persons (person_id)
SELECT person_id FROM residents GROUP BY person_id HAVING COUNT(DISTINCT organisation_id) > 1;

-- +goose Down
-- Only published versions go back; those made by drafts lose the figures
-- later publications were checked against (their stored figures are empty).
CREATE TABLE reach_publications (
    id            INTEGER PRIMARY KEY,
    period        TEXT NOT NULL,
    version       INTEGER NOT NULL,
    published_at  TEXT NOT NULL,
    published_by  INTEGER REFERENCES users (id),
    threshold     INTEGER NOT NULL,
    rounding_base INTEGER NOT NULL,
    tables        TEXT NOT NULL,
    figures       TEXT NOT NULL,
    UNIQUE (period, version)
) STRICT;
INSERT INTO reach_publications (period, version, published_at, published_by, threshold, rounding_base, tables, figures)
SELECT period, version, published_at, published_by, threshold, rounding_base, tables,
    CASE origin WHEN 'legacy' THEN record ELSE '{"layout":{},"cells":[]}' END
FROM reach_releases WHERE status = 'published' ORDER BY id;
-- +goose StatementBegin
CREATE TRIGGER reach_publications_frozen BEFORE UPDATE ON reach_publications
BEGIN
    SELECT RAISE(ABORT, 'published reach figures are frozen: publish a new version');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER reach_publications_kept BEFORE DELETE ON reach_publications
BEGIN
    SELECT RAISE(ABORT, 'published reach figures are kept');
END;
-- +goose StatementEnd
DROP TRIGGER reach_releases_kept;
DROP TRIGGER reach_releases_frozen;
DROP TABLE reach_releases;
