-- +goose Up
-- Roles move from the Casbin adapter's table into one written in the same
-- transaction as the user (the policy is built from it in auth). The
-- adapter created casbin_rule on first start; a new database never had it.
CREATE TABLE IF NOT EXISTS casbin_rule (
    p_type TEXT NOT NULL DEFAULT '', v0 TEXT NOT NULL DEFAULT '', v1 TEXT NOT NULL DEFAULT '',
    v2 TEXT NOT NULL DEFAULT '', v3 TEXT NOT NULL DEFAULT '', v4 TEXT NOT NULL DEFAULT '',
    v5 TEXT NOT NULL DEFAULT ''
);

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users (id),
    role    TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
) STRICT, WITHOUT ROWID;

INSERT INTO user_roles (user_id, role)
SELECT DISTINCT u.id, r.v1 FROM casbin_rule r
JOIN users u ON u.username = r.v0
JOIN organisations o ON o.id = u.organisation_id AND o.slug = r.v2
WHERE r.p_type = 'g';

DROP TABLE casbin_rule;

-- auth_generation moves on whenever a session ends or an account's activity,
-- password or roles change, whoever makes the change (this server, another
-- one, the command line): caches of sessions and of the policy compare it.
CREATE TABLE auth_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
) STRICT;
INSERT INTO auth_generation (id, n) VALUES (1, 1);

-- +goose StatementBegin
CREATE TRIGGER auth_user_insert AFTER INSERT ON users
BEGIN
    UPDATE auth_generation SET n = n + 1 WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER auth_user_update AFTER UPDATE OF active, password_hash, organisation_id, username ON users
BEGIN
    UPDATE auth_generation SET n = n + 1 WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER auth_role_insert AFTER INSERT ON user_roles
BEGIN
    UPDATE auth_generation SET n = n + 1 WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER auth_role_delete AFTER DELETE ON user_roles
BEGIN
    UPDATE auth_generation SET n = n + 1 WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER auth_session_delete AFTER DELETE ON sessions
BEGIN
    UPDATE auth_generation SET n = n + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER auth_session_delete;
DROP TRIGGER auth_role_delete;
DROP TRIGGER auth_role_insert;
DROP TRIGGER auth_user_update;
DROP TRIGGER auth_user_insert;
DROP TABLE auth_generation;
DROP TABLE user_roles;
