-- +goose Up
-- Reference data: partners, their programmes and the lists the tablet form uses.
CREATE TABLE organisations (
    id                 INTEGER PRIMARY KEY,
    slug               TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    receives_handovers INTEGER NOT NULL DEFAULT 0 CHECK (receives_handovers IN (0, 1))
) STRICT;

CREATE TABLE programmes (
    id              INTEGER PRIMARY KEY,
    slug            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

CREATE TABLE neighbourhoods (
    id      INTEGER PRIMARY KEY,
    slug    TEXT NOT NULL UNIQUE,
    name_nl TEXT NOT NULL,
    name_en TEXT NOT NULL,
    sort    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE topics (
    id      INTEGER PRIMARY KEY,
    slug    TEXT NOT NULL UNIQUE,
    name_nl TEXT NOT NULL,
    name_en TEXT NOT NULL,
    sort    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE outcomes (
    id      INTEGER PRIMARY KEY,
    slug    TEXT NOT NULL UNIQUE,
    name_nl TEXT NOT NULL,
    name_en TEXT NOT NULL,
    sort    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE contact_kinds (
    id      INTEGER PRIMARY KEY,
    slug    TEXT NOT NULL UNIQUE,
    name_nl TEXT NOT NULL,
    name_en TEXT NOT NULL,
    sort    INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Accounts. Roles live in casbin_rule (domain = organisation slug).
CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    programme_id    INTEGER REFERENCES programmes (id),
    password_hash   TEXT NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at      TEXT NOT NULL
) STRICT;

-- Server-side sessions; only a hash of the cookie's token is stored.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed logins, for throttling by username and by address.
CREATE TABLE login_failures (
    id       INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    address  TEXT NOT NULL,
    at       TEXT NOT NULL
) STRICT;
CREATE INDEX login_failures_username ON login_failures (username, at);
CREATE INDEX login_failures_address ON login_failures (address, at);

-- A person is what reach counts; each organisation keeps its own record of
-- them (residents). The pseudonym links records of different organisations.
CREATE TABLE persons (
    id         INTEGER PRIMARY KEY,
    pseudonym  TEXT UNIQUE,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE residents (
    id               TEXT PRIMARY KEY,
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    person_id        INTEGER NOT NULL REFERENCES persons (id),
    given_name       TEXT NOT NULL DEFAULT '',
    family_name      TEXT NOT NULL DEFAULT '',
    birth_date       TEXT,
    birth_year       INTEGER,
    phone            TEXT NOT NULL DEFAULT '',
    neighbourhood_id INTEGER REFERENCES neighbourhoods (id),
    gender           TEXT CHECK (gender IN ('vrouw', 'man', 'anders')),
    note             TEXT NOT NULL DEFAULT '',
    created_by       INTEGER NOT NULL REFERENCES users (id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    -- lower-cased, accent-free names for search within one organisation
    search_text      TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX residents_org ON residents (organisation_id, family_name);
CREATE INDEX residents_person ON residents (person_id);

-- Contacts are append-only: corrections bump version and keep the old one
-- in contact_versions; voiding sets voided_at and never deletes.
CREATE TABLE contacts (
    id               TEXT PRIMARY KEY,
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    programme_id     INTEGER NOT NULL REFERENCES programmes (id),
    worker_id        INTEGER NOT NULL REFERENCES users (id),
    resident_id      TEXT REFERENCES residents (id),
    occurred_at      TEXT NOT NULL,
    neighbourhood_id INTEGER NOT NULL REFERENCES neighbourhoods (id),
    kind_id          INTEGER NOT NULL REFERENCES contact_kinds (id),
    note             TEXT NOT NULL DEFAULT '',
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    voided_at        TEXT,
    voided_by        INTEGER REFERENCES users (id),
    void_reason      TEXT
) STRICT;
CREATE INDEX contacts_org_time ON contacts (organisation_id, occurred_at);
CREATE INDEX contacts_resident ON contacts (resident_id, occurred_at);
CREATE INDEX contacts_worker ON contacts (worker_id, occurred_at);

CREATE TABLE contact_topics (
    contact_id TEXT NOT NULL REFERENCES contacts (id),
    topic_id   INTEGER NOT NULL REFERENCES topics (id),
    PRIMARY KEY (contact_id, topic_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE contact_outcomes (
    contact_id TEXT NOT NULL REFERENCES contacts (id),
    outcome_id INTEGER NOT NULL REFERENCES outcomes (id),
    PRIMARY KEY (contact_id, outcome_id)
) STRICT, WITHOUT ROWID;

-- Earlier versions of corrected contacts, as JSON snapshots.
CREATE TABLE contact_versions (
    contact_id TEXT NOT NULL REFERENCES contacts (id),
    version    INTEGER NOT NULL,
    snapshot   TEXT NOT NULL,
    changed_by INTEGER NOT NULL REFERENCES users (id),
    changed_at TEXT NOT NULL,
    PRIMARY KEY (contact_id, version)
) STRICT;

-- Who read or changed personal data. Append-only, enforced by triggers.
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    user_id         INTEGER,
    username        TEXT NOT NULL,
    organisation_id INTEGER,
    action          TEXT NOT NULL,
    entity          TEXT NOT NULL,
    entity_id       TEXT NOT NULL DEFAULT '',
    detail          TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_entity ON audit_log (entity, entity_id);

-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contacts_no_delete BEFORE DELETE ON contacts
BEGIN
    SELECT RAISE(ABORT, 'contacts are append-only: void instead');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit_log;
DROP TABLE contact_versions;
DROP TABLE contact_outcomes;
DROP TABLE contact_topics;
DROP TABLE contacts;
DROP TABLE residents;
DROP TABLE persons;
DROP TABLE login_failures;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE contact_kinds;
DROP TABLE outcomes;
DROP TABLE topics;
DROP TABLE neighbourhoods;
DROP TABLE programmes;
DROP TABLE organisations;
