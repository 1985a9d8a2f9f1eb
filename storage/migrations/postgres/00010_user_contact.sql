-- +goose Up
-- A user's work address and phone, optional, and how they want mail about
-- handovers (the SQLite twin also gives existing coordinators a digest).
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN mail_pref TEXT NOT NULL DEFAULT 'immediate'
    CHECK (mail_pref IN ('immediate', 'digest', 'off'));

CREATE TRIGGER auth_user_contact_update AFTER UPDATE OF email, phone, mail_pref ON users
    FOR EACH ROW EXECUTE FUNCTION auth_generation_next();

-- +goose Down
DROP TRIGGER auth_user_contact_update ON users;
ALTER TABLE users DROP COLUMN mail_pref;
ALTER TABLE users DROP COLUMN phone;
ALTER TABLE users DROP COLUMN email;
