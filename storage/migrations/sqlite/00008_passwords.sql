-- +goose Up
-- A password set by someone else (an account made, a password reset) must
-- be changed by its user at the next login.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0
    CHECK (must_change_password IN (0, 1));

-- Failed logins are throttled per username and address together; this
-- index serves that count.
CREATE INDEX login_failures_pair ON login_failures (username, address, at);

-- +goose StatementBegin
CREATE TRIGGER auth_user_must_change AFTER UPDATE OF must_change_password ON users
BEGIN
    UPDATE auth_generation SET n = n + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER auth_user_must_change;
DROP INDEX login_failures_pair;
ALTER TABLE users DROP COLUMN must_change_password;
