-- +goose Up
-- A password set by someone else must be changed by its user at the next
-- login; failed logins are throttled per username and address together.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;

CREATE INDEX login_failures_pair ON login_failures (username, address, at);

CREATE TRIGGER auth_user_must_change AFTER UPDATE OF must_change_password ON users
    FOR EACH ROW EXECUTE FUNCTION auth_generation_next();

-- +goose Down
DROP TRIGGER auth_user_must_change ON users;
DROP INDEX login_failures_pair;
ALTER TABLE users DROP COLUMN must_change_password;
