-- +goose Up
-- Warm handovers between partners: the handover and its state timestamps,
-- the resident's consent and its scope, topics, links between a declined
-- handover and the one redirected from it, and each receiving
-- organisation's deadlines.

-- Deadlines in working days (Europe/Amsterdam, weekends and Dutch public
-- holidays excluded). An organisation without a row has the defaults:
-- accept within 5, first contact within 10 working days of sending.
CREATE TABLE handover_limits (
    organisation_id INTEGER PRIMARY KEY REFERENCES organisations (id),
    accept_days     INTEGER NOT NULL CHECK (accept_days BETWEEN 1 AND 60),
    contact_days    INTEGER NOT NULL CHECK (contact_days BETWEEN 1 AND 120),
    updated_at      TEXT NOT NULL,
    CHECK (contact_days >= accept_days)
) STRICT;

CREATE TABLE handovers (
    id                      TEXT PRIMARY KEY,
    state                   TEXT NOT NULL CHECK (state IN ('requested', 'received', 'accepted', 'contacted',
                                                           'completed', 'declined', 'withdrawn')),
    from_org_id             INTEGER NOT NULL REFERENCES organisations (id),
    from_programme_id       INTEGER REFERENCES programmes (id),
    from_user_id            INTEGER NOT NULL REFERENCES users (id),
    from_resident_id        TEXT NOT NULL REFERENCES residents (id),
    to_org_id               INTEGER NOT NULL REFERENCES organisations (id),
    to_programme_id         INTEGER REFERENCES programmes (id),
    -- the receiving organisation's own record, made on acceptance
    to_resident_id          TEXT REFERENCES residents (id),
    assignee_id             INTEGER REFERENCES users (id),
    question                TEXT NOT NULL,
    urgency                 TEXT NOT NULL CHECK (urgency IN ('normal', 'urgent')),
    preferred_way           TEXT NOT NULL DEFAULT '',
    preferred_time          TEXT NOT NULL DEFAULT '',
    -- What the consent covers, copied from the sender's record when sent.
    -- NULL when the consent does not cover it; erased when consent is
    -- withdrawn. The receiver never reads the sender's record itself.
    shared_given_name       TEXT,
    shared_family_name      TEXT,
    shared_phone            TEXT,
    shared_birth_date       TEXT,
    shared_neighbourhood_id INTEGER REFERENCES neighbourhoods (id),
    shared_story            TEXT,
    -- when each state was reached
    requested_at            TEXT NOT NULL,
    received_at             TEXT,
    accepted_at             TEXT,
    contacted_at            TEXT,
    completed_at            TEXT,
    declined_at             TEXT,
    withdrawn_at            TEXT,
    updated_at              TEXT NOT NULL,
    -- deadlines, computed when sent from the receiver's limits
    accept_by               TEXT NOT NULL,
    contact_by              TEXT NOT NULL,
    -- the first real contact
    contact_at              TEXT,
    contact_how             TEXT CHECK (contact_how IN ('joint-visit', 'phone-introduction', 'drop-in', 'home-visit')),
    contact_note            TEXT,
    contact_id              TEXT REFERENCES contacts (id),
    -- closing
    outcome_id              INTEGER REFERENCES outcomes (id),
    completion_note         TEXT,
    decline_reason          TEXT CHECK (decline_reason IN ('no_capacity', 'not_eligible', 'could_not_reach',
                                                           'resident_declined', 'other')),
    decline_note            TEXT,
    withdraw_reason         TEXT,
    CHECK (from_org_id <> to_org_id)
) STRICT;
-- The review (storage/handover_list.go) reads an organisation's handovers in
-- both directions without sorting them all: counts per state and overdue
-- from the first two indexes; open handovers in review order (urgent first,
-- oldest first) and closed ones (latest first) from the partial indexes,
-- whose WHERE clauses the queries repeat word for word.
CREATE INDEX handovers_to ON handovers (to_org_id, state, accept_by, contact_by);
CREATE INDEX handovers_from ON handovers (from_org_id, state, accept_by, contact_by);
CREATE INDEX handovers_to_open ON handovers (to_org_id, urgency DESC, requested_at)
    WHERE state IN ('requested', 'received', 'accepted', 'contacted');
CREATE INDEX handovers_from_open ON handovers (from_org_id, urgency DESC, requested_at)
    WHERE state IN ('requested', 'received', 'accepted', 'contacted');
CREATE INDEX handovers_to_closed ON handovers (to_org_id, updated_at)
    WHERE state IN ('completed', 'declined', 'withdrawn');
CREATE INDEX handovers_from_closed ON handovers (from_org_id, updated_at)
    WHERE state IN ('completed', 'declined', 'withdrawn');
CREATE INDEX handovers_assignee ON handovers (assignee_id, state);
CREATE INDEX handovers_sender ON handovers (from_user_id, requested_at);
CREATE INDEX handovers_from_resident ON handovers (from_resident_id);
CREATE INDEX handovers_to_resident ON handovers (to_resident_id);

-- The resident's consent to the handover: given (always, or there is no
-- handover), how, when, who recorded it, its scope, and its withdrawal.
CREATE TABLE handover_consents (
    handover_id         TEXT PRIMARY KEY REFERENCES handovers (id),
    given               INTEGER NOT NULL CHECK (given = 1),
    how                 TEXT NOT NULL CHECK (how IN ('verbal', 'written')),
    given_at            TEXT NOT NULL,
    recorded_by         INTEGER NOT NULL REFERENCES users (id),
    recorded_at         TEXT NOT NULL,
    scope_name          INTEGER NOT NULL DEFAULT 0 CHECK (scope_name IN (0, 1)),
    scope_phone         INTEGER NOT NULL DEFAULT 0 CHECK (scope_phone IN (0, 1)),
    scope_birth_date    INTEGER NOT NULL DEFAULT 0 CHECK (scope_birth_date IN (0, 1)),
    scope_neighbourhood INTEGER NOT NULL DEFAULT 0 CHECK (scope_neighbourhood IN (0, 1)),
    scope_story         INTEGER NOT NULL DEFAULT 0 CHECK (scope_story IN (0, 1)),
    withdrawn_at        TEXT,
    withdrawn_by        INTEGER REFERENCES users (id),
    withdrawal_note     TEXT
) STRICT;

CREATE TABLE handover_topics (
    handover_id TEXT NOT NULL REFERENCES handovers (id),
    topic_id    INTEGER NOT NULL REFERENCES topics (id),
    PRIMARY KEY (handover_id, topic_id)
) STRICT, WITHOUT ROWID;

-- A declined handover redirected to another partner: at most once.
CREATE TABLE handover_links (
    handover_id     TEXT PRIMARY KEY REFERENCES handovers (id),
    redirected_from TEXT NOT NULL UNIQUE REFERENCES handovers (id),
    created_at      TEXT NOT NULL
) STRICT;

-- +goose StatementBegin
CREATE TRIGGER handovers_no_delete BEFORE DELETE ON handovers
BEGIN
    SELECT RAISE(ABORT, 'handovers are kept: withdraw instead');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER handover_consents_no_delete BEFORE DELETE ON handover_consents
BEGIN
    SELECT RAISE(ABORT, 'consent records are kept: withdraw instead');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE handover_links;
DROP TABLE handover_topics;
DROP TABLE handover_consents;
DROP TABLE handovers;
DROP TABLE handover_limits;
