-- +goose Up
-- Reach statistics (issue 4). Counting distinct persons over a year of
-- contacts with COUNT(DISTINCT) is too slow, so facts per person, programme
-- and period are kept up to date as contacts are written, and from them
-- counters per period, programme and breakdown.
--
-- Triggers mark what changed (reach_dirty_*); storage/reach.go folds the
-- changes into the facts and counters, inside the same transaction for
-- contacts written through the contact service, and before any reach read
-- for anything else (a resident linked to another person, say).

-- Contacts changed since the facts last took them in, with the state the
-- facts last accounted for (existed = 0: a new contact, nothing accounted).
CREATE TABLE reach_dirty_contacts (
    contact_id   TEXT PRIMARY KEY,
    existed      INTEGER NOT NULL CHECK (existed IN (0, 1)),
    counted      INTEGER NOT NULL CHECK (counted IN (0, 1)),
    programme_id INTEGER,
    occurred_at  TEXT,
    resident_id  TEXT
) STRICT, WITHOUT ROWID;

-- Persons whose records changed in a way that matters for counting.
CREATE TABLE reach_dirty_persons (
    person_id INTEGER PRIMARY KEY
) STRICT;

-- One row per person, programme (0 = all programmes together) and period
-- (2024, 2024-H2, 2024-Q3) in which the person had a non-voided contact.
CREATE TABLE reach_facts (
    person_id        INTEGER NOT NULL,
    programme_id     INTEGER NOT NULL,
    period           TEXT NOT NULL,
    -- the first contact in the period, whose neighbourhood counts: its
    -- time (Unix milliseconds) and rowid, which breaks ties
    first_at         INTEGER NOT NULL,
    first_seq        INTEGER NOT NULL,
    neighbourhood_id INTEGER NOT NULL,
    helped           INTEGER NOT NULL CHECK (helped IN (0, 1)),
    -- topic IDs of all the contacts, sorted, comma-separated
    topics           TEXT NOT NULL,
    age_band         TEXT NOT NULL,
    gender           TEXT NOT NULL,
    PRIMARY KEY (person_id, programme_id, period)
) STRICT, WITHOUT ROWID;

-- Exact counts per period, programme (0 = all), measure and breakdown key.
-- Internal: published only through disclosure control.
CREATE TABLE reach_counts (
    period       TEXT NOT NULL,
    programme_id INTEGER NOT NULL,
    measure      TEXT NOT NULL,
    key          TEXT NOT NULL,
    n            INTEGER NOT NULL,
    PRIMARY KEY (period, programme_id, measure, key)
) STRICT, WITHOUT ROWID;

-- Published versions of a period, frozen: the tables as served, and the
-- internal counts and cell statuses that later publications are checked
-- against (never served).
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

-- Read-only API tokens for the monitor; only a SHA-256 of the secret.
CREATE TABLE reach_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_by   INTEGER REFERENCES users (id),
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
) STRICT;

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

-- +goose StatementBegin
CREATE TRIGGER reach_contact_insert AFTER INSERT ON contacts
BEGIN
    INSERT OR IGNORE INTO reach_dirty_contacts (contact_id, existed, counted)
    VALUES (NEW.id, 0, 0);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER reach_contact_update
AFTER UPDATE OF programme_id, occurred_at, neighbourhood_id, voided_at, resident_id ON contacts
BEGIN
    INSERT OR IGNORE INTO reach_dirty_contacts (contact_id, existed, counted, programme_id, occurred_at, resident_id)
    VALUES (OLD.id, 1, OLD.voided_at IS NULL, OLD.programme_id, OLD.occurred_at, OLD.resident_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER reach_topic_insert AFTER INSERT ON contact_topics
BEGIN
    INSERT OR IGNORE INTO reach_dirty_contacts (contact_id, existed, counted, programme_id, occurred_at, resident_id)
    SELECT id, 1, voided_at IS NULL, programme_id, occurred_at, resident_id FROM contacts WHERE id = NEW.contact_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER reach_topic_delete AFTER DELETE ON contact_topics
BEGIN
    INSERT OR IGNORE INTO reach_dirty_contacts (contact_id, existed, counted, programme_id, occurred_at, resident_id)
    SELECT id, 1, voided_at IS NULL, programme_id, occurred_at, resident_id FROM contacts WHERE id = OLD.contact_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER reach_outcome_insert AFTER INSERT ON contact_outcomes
BEGIN
    INSERT OR IGNORE INTO reach_dirty_contacts (contact_id, existed, counted, programme_id, occurred_at, resident_id)
    SELECT id, 1, voided_at IS NULL, programme_id, occurred_at, resident_id FROM contacts WHERE id = NEW.contact_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER reach_outcome_delete AFTER DELETE ON contact_outcomes
BEGIN
    INSERT OR IGNORE INTO reach_dirty_contacts (contact_id, existed, counted, programme_id, occurred_at, resident_id)
    SELECT id, 1, voided_at IS NULL, programme_id, occurred_at, resident_id FROM contacts WHERE id = OLD.contact_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER reach_resident_insert AFTER INSERT ON residents
WHEN NEW.birth_date IS NOT NULL OR NEW.birth_year IS NOT NULL OR NEW.gender IS NOT NULL
BEGIN
    INSERT OR IGNORE INTO reach_dirty_persons (person_id) VALUES (NEW.person_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER reach_resident_update AFTER UPDATE OF person_id, birth_date, birth_year, gender ON residents
WHEN OLD.person_id IS NOT NEW.person_id OR OLD.birth_date IS NOT NEW.birth_date
    OR OLD.birth_year IS NOT NEW.birth_year OR OLD.gender IS NOT NEW.gender
BEGIN
    INSERT OR IGNORE INTO reach_dirty_persons (person_id) VALUES (OLD.person_id);
    INSERT OR IGNORE INTO reach_dirty_persons (person_id) VALUES (NEW.person_id);
END;
-- +goose StatementEnd

-- Contacts logged before this migration are taken in on the first refresh.
INSERT INTO reach_dirty_contacts (contact_id, existed, counted) SELECT id, 0, 0 FROM contacts;

-- +goose Down
DROP TRIGGER reach_resident_update;
DROP TRIGGER reach_resident_insert;
DROP TRIGGER reach_outcome_delete;
DROP TRIGGER reach_outcome_insert;
DROP TRIGGER reach_topic_delete;
DROP TRIGGER reach_topic_insert;
DROP TRIGGER reach_contact_update;
DROP TRIGGER reach_contact_insert;
DROP TABLE reach_tokens;
DROP TABLE reach_publications;
DROP TABLE reach_counts;
DROP TABLE reach_facts;
DROP TABLE reach_dirty_persons;
DROP TABLE reach_dirty_contacts;
