-- +goose Up
-- The directory of partners and their services (issue 12), modelled after
-- Open Referral HSDS: per organisation and, optionally, programme, what it
-- offers, for whom, in which languages, when it is open, its drop-in hours
-- and places, and how to reach its intake. Data of organisations, never of
-- residents.
CREATE TABLE partner_services (
    id              TEXT PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    programme_id    INTEGER REFERENCES programmes (id),
    name            TEXT NOT NULL,
    offer           TEXT NOT NULL DEFAULT '',
    audience        TEXT NOT NULL DEFAULT '',
    languages       TEXT NOT NULL DEFAULT '',  -- ISO 639-1 codes, comma-separated
    phone           TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    website         TEXT NOT NULL DEFAULT '',
    sort            INTEGER NOT NULL DEFAULT 0,
    updated_at      TEXT NOT NULL,
    updated_by      TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX partner_services_org ON partner_services (organisation_id, sort);

CREATE TABLE partner_service_topics (
    service_id TEXT NOT NULL REFERENCES partner_services (id) ON DELETE CASCADE,
    topic_id   INTEGER NOT NULL REFERENCES topics (id),
    PRIMARY KEY (service_id, topic_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX partner_service_topics_topic ON partner_service_topics (topic_id);

-- Opening hours ('open') and drop-in hours ('drop_in', with a place), one
-- row per weekday and time span.
CREATE TABLE partner_hours (
    service_id TEXT NOT NULL REFERENCES partner_services (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('open', 'drop_in')),
    weekday    INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),  -- 1 = Monday
    opens      TEXT NOT NULL,  -- HH:MM
    closes     TEXT NOT NULL,
    place      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (service_id, kind, seq)
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE partner_hours;
DROP TABLE partner_service_topics;
DROP TABLE partner_services;
