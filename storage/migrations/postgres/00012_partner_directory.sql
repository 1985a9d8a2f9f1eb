-- +goose Up
-- The directory of partners and their services (issue 12), after Open
-- Referral HSDS (see the SQLite twin).
CREATE TABLE partner_services (
    id              TEXT PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    programme_id    BIGINT REFERENCES programmes (id),
    name            TEXT NOT NULL,
    offer           TEXT NOT NULL DEFAULT '',
    audience        TEXT NOT NULL DEFAULT '',
    languages       TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    website         TEXT NOT NULL DEFAULT '',
    sort            BIGINT NOT NULL DEFAULT 0,
    updated_at      TEXT NOT NULL,
    updated_by      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX partner_services_org ON partner_services (organisation_id, sort);

CREATE TABLE partner_service_topics (
    service_id TEXT NOT NULL REFERENCES partner_services (id) ON DELETE CASCADE,
    topic_id   BIGINT NOT NULL REFERENCES topics (id),
    PRIMARY KEY (service_id, topic_id)
);
CREATE INDEX partner_service_topics_topic ON partner_service_topics (topic_id);

CREATE TABLE partner_hours (
    service_id TEXT NOT NULL REFERENCES partner_services (id) ON DELETE CASCADE,
    seq        BIGINT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('open', 'drop_in')),
    weekday    BIGINT NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens      TEXT NOT NULL,
    closes     TEXT NOT NULL,
    place      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (service_id, kind, seq)
);

-- +goose Down
DROP TABLE partner_hours;
DROP TABLE partner_service_topics;
DROP TABLE partner_services;
