-- +goose Up
-- A user's work address and phone, optional, and how they want mail about
-- handovers: immediately, in a daily digest or not at all. New accounts get
-- the default of their roles (cases.DefaultMailPreference): coordinators a
-- digest, everyone else each mail at once; existing accounts the same.
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN mail_pref TEXT NOT NULL DEFAULT 'immediate'
    CHECK (mail_pref IN ('immediate', 'digest', 'off'));
UPDATE users SET mail_pref = 'digest'
    WHERE id IN (SELECT user_id FROM user_roles WHERE role = 'coordinator');

-- Sessions cache their user per auth generation: a changed address or
-- preference shows at once, like a changed role.
-- +goose StatementBegin
CREATE TRIGGER auth_user_contact_update AFTER UPDATE OF email, phone, mail_pref ON users
BEGIN
    UPDATE auth_generation SET n = n + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER auth_user_contact_update;
ALTER TABLE users DROP COLUMN mail_pref;
ALTER TABLE users DROP COLUMN phone;
ALTER TABLE users DROP COLUMN email;
