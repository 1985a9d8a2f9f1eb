-- +goose Up
-- reference_generation moves on whenever reference data changes
-- (organisations, programmes, neighbourhoods, topics, outcomes, contact
-- kinds), whoever changes it (this server, another one on the same
-- database, the command line): each server's cache of the lists compares
-- it and reloads when it moved.
CREATE TABLE reference_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  BIGINT NOT NULL
);
INSERT INTO reference_generation (id, n) VALUES (1, 1);

-- +goose StatementBegin
CREATE FUNCTION reference_generation_next() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE reference_generation SET n = n + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER ref_organisations AFTER INSERT OR UPDATE OR DELETE ON organisations
    FOR EACH STATEMENT EXECUTE FUNCTION reference_generation_next();
CREATE TRIGGER ref_programmes AFTER INSERT OR UPDATE OR DELETE ON programmes
    FOR EACH STATEMENT EXECUTE FUNCTION reference_generation_next();
CREATE TRIGGER ref_neighbourhoods AFTER INSERT OR UPDATE OR DELETE ON neighbourhoods
    FOR EACH STATEMENT EXECUTE FUNCTION reference_generation_next();
CREATE TRIGGER ref_topics AFTER INSERT OR UPDATE OR DELETE ON topics
    FOR EACH STATEMENT EXECUTE FUNCTION reference_generation_next();
CREATE TRIGGER ref_outcomes AFTER INSERT OR UPDATE OR DELETE ON outcomes
    FOR EACH STATEMENT EXECUTE FUNCTION reference_generation_next();
CREATE TRIGGER ref_kinds AFTER INSERT OR UPDATE OR DELETE ON contact_kinds
    FOR EACH STATEMENT EXECUTE FUNCTION reference_generation_next();

-- +goose Down
DROP TRIGGER ref_organisations ON organisations;
DROP TRIGGER ref_programmes ON programmes;
DROP TRIGGER ref_neighbourhoods ON neighbourhoods;
DROP TRIGGER ref_topics ON topics;
DROP TRIGGER ref_outcomes ON outcomes;
DROP TRIGGER ref_kinds ON contact_kinds;
DROP FUNCTION reference_generation_next();
DROP TABLE reference_generation;
