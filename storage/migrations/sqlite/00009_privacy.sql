-- +goose Up
-- Privacy: a tamper-evident audit that names what was read and from where,
-- residents' rights (versions to export, erasure), retention and consent
-- that ends.

-- Every audit line is chained to the one before it: hash is an HMAC (keyed
-- by a key derived from the deployment secret, which is not in this file)
-- over the previous line's hash and this line, so an edited, removed or
-- inserted line breaks the chain from there on. Lines from before this
-- migration have no hash; the chain starts after them.
ALTER TABLE audit_log ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN hash TEXT;

-- The records a line read or changed, so "who saw this resident?" is one
-- look-up: kind is resident, contact or handover.
CREATE TABLE audit_ids (
    audit_id INTEGER NOT NULL REFERENCES audit_log (id),
    kind     TEXT NOT NULL,
    id       TEXT NOT NULL,
    PRIMARY KEY (audit_id, kind, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX audit_ids_id ON audit_ids (id, audit_id);
CREATE INDEX audit_org ON audit_log (organisation_id, id);

-- +goose StatementBegin
CREATE TRIGGER audit_ids_no_update BEFORE UPDATE ON audit_ids
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_ids_no_delete BEFORE DELETE ON audit_ids
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd

-- Earlier versions of residents' records, for an access request; erased
-- with the record.
CREATE TABLE resident_versions (
    resident_id TEXT NOT NULL REFERENCES residents (id),
    changed_at  TEXT NOT NULL,
    changed_by  INTEGER NOT NULL REFERENCES users (id),
    snapshot    TEXT NOT NULL
) STRICT;
CREATE INDEX resident_versions_resident ON resident_versions (resident_id, changed_at);

-- An erased record keeps its id and person link (so the person still
-- counts) and nothing else; own_ground is the receiving organisation's own
-- legal ground for a record it got through a handover, which then survives
-- the sender's consent ending.
ALTER TABLE residents ADD COLUMN erased_at TEXT;
ALTER TABLE residents ADD COLUMN own_ground TEXT;
ALTER TABLE residents ADD COLUMN own_ground_at TEXT;
ALTER TABLE residents ADD COLUMN own_ground_by INTEGER REFERENCES users (id);

-- Consent ends: valid_until (12 months after it was given unless the
-- sending organisation sets otherwise); renewed_at when the sender renewed
-- it; applied_at when its end reached the receiver (shared data erased, the
-- receiver's record erased or kept on its own ground).
ALTER TABLE handover_consents ADD COLUMN valid_until TEXT;
ALTER TABLE handover_consents ADD COLUMN renewed_at TEXT;
ALTER TABLE handover_consents ADD COLUMN applied_at TEXT;
UPDATE handover_consents SET valid_until = strftime('%Y-%m-%dT%H:%M:%fZ', given_at, '+12 months');

-- Per organisation: how long a record without activity is kept, and how
-- long a consent it records lasts.
CREATE TABLE organisation_privacy (
    organisation_id  INTEGER PRIMARY KEY REFERENCES organisations (id),
    retention_months INTEGER NOT NULL CHECK (retention_months BETWEEN 1 AND 120),
    consent_months   INTEGER NOT NULL CHECK (consent_months BETWEEN 1 AND 60),
    updated_at       TEXT NOT NULL
) STRICT;

-- Erasing a record blanks its birth date and gender: that must not move the
-- reach counts (the person still counts, as counted), so an erased record's
-- changes mark nothing.
DROP TRIGGER reach_resident_update;
-- +goose StatementBegin
CREATE TRIGGER reach_resident_update AFTER UPDATE OF person_id, birth_date, birth_year, gender ON residents
WHEN NEW.erased_at IS NULL AND (OLD.person_id IS NOT NEW.person_id OR OLD.birth_date IS NOT NEW.birth_date
    OR OLD.birth_year IS NOT NEW.birth_year OR OLD.gender IS NOT NEW.gender)
BEGIN
    INSERT OR IGNORE INTO reach_dirty_persons (person_id) VALUES (OLD.person_id);
    INSERT OR IGNORE INTO reach_dirty_persons (person_id) VALUES (NEW.person_id);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER reach_resident_update;
-- +goose StatementBegin
CREATE TRIGGER reach_resident_update AFTER UPDATE OF person_id, birth_date, birth_year, gender ON residents
WHEN OLD.person_id IS NOT NEW.person_id OR OLD.birth_date IS NOT NEW.birth_date
    OR OLD.birth_year IS NOT NEW.birth_year OR OLD.gender IS NOT NEW.gender
BEGIN
    INSERT OR IGNORE INTO reach_dirty_persons (person_id) VALUES (OLD.person_id);
    INSERT OR IGNORE INTO reach_dirty_persons (person_id) VALUES (NEW.person_id);
END;
-- +goose StatementEnd
DROP TABLE organisation_privacy;
ALTER TABLE handover_consents DROP COLUMN applied_at;
ALTER TABLE handover_consents DROP COLUMN renewed_at;
ALTER TABLE handover_consents DROP COLUMN valid_until;
ALTER TABLE residents DROP COLUMN own_ground_by;
ALTER TABLE residents DROP COLUMN own_ground_at;
ALTER TABLE residents DROP COLUMN own_ground;
ALTER TABLE residents DROP COLUMN erased_at;
DROP TABLE resident_versions;
DROP TRIGGER audit_ids_no_delete;
DROP TRIGGER audit_ids_no_update;
DROP INDEX audit_org;
DROP TABLE audit_ids;
ALTER TABLE audit_log DROP COLUMN hash;
ALTER TABLE audit_log DROP COLUMN address;
