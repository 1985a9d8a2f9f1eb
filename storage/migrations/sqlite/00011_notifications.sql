-- +goose Up
-- Notifications of handover events (issue 12). An event is decided once
-- (notify_events); each recipient gets a notice in the app (notices) and,
-- by their preference, a mail in the outbox, written in the transaction of
-- the event and sent afterwards by the mail worker. No personal data of a
-- resident is stored here: kinds, handover IDs, organisation names, links.

CREATE TABLE notify_events (
    event       TEXT PRIMARY KEY,  -- "h:<handover>:<kind>[:<detail>]"
    handover_id TEXT NOT NULL REFERENCES handovers (id),
    kind        TEXT NOT NULL,
    at          TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE notices (
    id          INTEGER PRIMARY KEY,
    event       TEXT NOT NULL REFERENCES notify_events (event),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    kind        TEXT NOT NULL,
    handover_id TEXT NOT NULL REFERENCES handovers (id),
    at          TEXT NOT NULL,
    read_at     TEXT,
    -- 'pending': waits for the user's next daily digest
    digest      TEXT NOT NULL DEFAULT 'none' CHECK (digest IN ('none', 'pending', 'sent')),
    UNIQUE (event, user_id)
) STRICT;
CREATE INDEX notices_unread ON notices (user_id, kind) WHERE read_at IS NULL;
CREATE INDEX notices_user_at ON notices (user_id, at);
CREATE INDEX notices_handover ON notices (handover_id, user_id);
CREATE INDEX notices_digest ON notices (user_id) WHERE digest = 'pending';

-- One mail per (event, recipient), ever: the UNIQUE key makes a retried
-- use case or a second digest run a no-op. The worker marks a row
-- 'sending' (committed) before it talks to the SMTP server and 'sent' after
-- the server accepted it; a row left 'sending' by a crash becomes
-- 'uncertain' and is never sent again.
CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY,
    event           TEXT NOT NULL,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    to_address      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'uncertain')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_at      TEXT,
    sent_at         TEXT,
    last_error      TEXT NOT NULL DEFAULT '',
    UNIQUE (event, user_id)
) STRICT;
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX mail_outbox_sending ON mail_outbox (claimed_at) WHERE state = 'sending';
CREATE INDEX mail_outbox_created ON mail_outbox (created_at);

-- +goose Down
DROP TABLE mail_outbox;
DROP TABLE notices;
DROP TABLE notify_events;
