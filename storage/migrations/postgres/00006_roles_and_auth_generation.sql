-- +goose Up
-- Roles, written in the same transaction as the user (the SQLite twin also
-- moves them out of the Casbin adapter's table, which a PostgreSQL database
-- never had).
CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users (id),
    role    TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

-- auth_generation moves on whenever a session ends or an account's activity,
-- password or roles change, whoever makes the change (this server, another
-- one, the command line): caches of sessions and of the policy compare it.
CREATE TABLE auth_generation (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    n  BIGINT NOT NULL
);
INSERT INTO auth_generation (id, n) VALUES (1, 1);

-- +goose StatementBegin
CREATE FUNCTION auth_generation_next() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE auth_generation SET n = n + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER auth_user_insert AFTER INSERT ON users
    FOR EACH ROW EXECUTE FUNCTION auth_generation_next();
CREATE TRIGGER auth_user_update AFTER UPDATE OF active, password_hash, organisation_id, username ON users
    FOR EACH ROW EXECUTE FUNCTION auth_generation_next();
CREATE TRIGGER auth_role_insert AFTER INSERT ON user_roles
    FOR EACH ROW EXECUTE FUNCTION auth_generation_next();
CREATE TRIGGER auth_role_delete AFTER DELETE ON user_roles
    FOR EACH ROW EXECUTE FUNCTION auth_generation_next();
CREATE TRIGGER auth_session_delete AFTER DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION auth_generation_next();

-- +goose Down
DROP TRIGGER auth_session_delete ON sessions;
DROP TRIGGER auth_role_delete ON user_roles;
DROP TRIGGER auth_role_insert ON user_roles;
DROP TRIGGER auth_user_update ON users;
DROP TRIGGER auth_user_insert ON users;
DROP FUNCTION auth_generation_next();
DROP TABLE auth_generation;
DROP TABLE user_roles;
