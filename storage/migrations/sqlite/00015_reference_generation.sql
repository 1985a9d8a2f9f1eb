-- +goose Up
-- reference_generation moves on whenever reference data changes
-- (organisations, programmes, neighbourhoods, topics, outcomes, contact
-- kinds), whoever changes it (this server, another one on the same
-- database, the command line): each server's cache of the lists compares
-- it and reloads when it moved.
CREATE TABLE reference_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
) STRICT;
INSERT INTO reference_generation (id, n) VALUES (1, 1);

-- +goose StatementBegin
CREATE TRIGGER ref_organisations_insert AFTER INSERT ON organisations BEGIN UPDATE reference_generation SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ref_organisations_update AFTER UPDATE ON organisations BEGIN UPDATE reference_generation SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ref_organisations_delete AFTER DELETE ON organisations BEGIN UPDATE reference_generation SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ref_programmes_insert AFTER INSERT ON programmes BEGIN UPDATE reference_generation SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ref_programmes_update AFTER UPDATE ON programmes BEGIN UPDATE reference_generation SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ref_programmes_delete AFTER DELETE ON programmes BEGIN UPDATE reference_generation SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ref_neighbourhoods_insert AFTER INSERT ON neighbourhoods BEGIN UPDATE reference_generation SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ref_neighbourhoods_update AFTER UPDATE ON neighbourhoods BEGIN UPDATE reference_generation SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ref_neighbourhoods_delete AFTER DELETE ON neighbourhoods BEGIN UPDATE reference_generation SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ref_topics_insert AFTER INSERT ON topics BEGIN UPDATE reference_generation SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ref_topics_update AFTER UPDATE ON topics BEGIN UPDATE reference_generation SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ref_topics_delete AFTER DELETE ON topics BEGIN UPDATE reference_generation SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ref_outcomes_insert AFTER INSERT ON outcomes BEGIN UPDATE reference_generation SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ref_outcomes_update AFTER UPDATE ON outcomes BEGIN UPDATE reference_generation SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ref_outcomes_delete AFTER DELETE ON outcomes BEGIN UPDATE reference_generation SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ref_kinds_insert AFTER INSERT ON contact_kinds BEGIN UPDATE reference_generation SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ref_kinds_update AFTER UPDATE ON contact_kinds BEGIN UPDATE reference_generation SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ref_kinds_delete AFTER DELETE ON contact_kinds BEGIN UPDATE reference_generation SET n = n + 1 WHERE id = 1; END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER ref_organisations_insert;
DROP TRIGGER ref_organisations_update;
DROP TRIGGER ref_organisations_delete;
DROP TRIGGER ref_programmes_insert;
DROP TRIGGER ref_programmes_update;
DROP TRIGGER ref_programmes_delete;
DROP TRIGGER ref_neighbourhoods_insert;
DROP TRIGGER ref_neighbourhoods_update;
DROP TRIGGER ref_neighbourhoods_delete;
DROP TRIGGER ref_topics_insert;
DROP TRIGGER ref_topics_update;
DROP TRIGGER ref_topics_delete;
DROP TRIGGER ref_outcomes_insert;
DROP TRIGGER ref_outcomes_update;
DROP TRIGGER ref_outcomes_delete;
DROP TRIGGER ref_kinds_insert;
DROP TRIGGER ref_kinds_update;
DROP TRIGGER ref_kinds_delete;
DROP TABLE reference_generation;
