-- A version number per person that every change to what a judgement reads
-- (sessions, screenings, assigned programs) moves on (schema version 5).
-- The web keeps judgements of patients it has made, and a judgement is
-- reused only while its person's version is unchanged: one small query
-- instead of reading a year of sessions per patient. Triggers, not the
-- write paths, move it, so no write can forget to.

ALTER TABLE persons ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER sessions_insert_version AFTER INSERT ON sessions
BEGIN UPDATE persons SET version = version + 1 WHERE id = NEW.person; END;
CREATE TRIGGER sessions_update_version AFTER UPDATE ON sessions
BEGIN UPDATE persons SET version = version + 1 WHERE id IN (OLD.person, NEW.person); END;
CREATE TRIGGER sessions_delete_version AFTER DELETE ON sessions
BEGIN UPDATE persons SET version = version + 1 WHERE id = OLD.person; END;

CREATE TRIGGER screenings_insert_version AFTER INSERT ON screenings
BEGIN UPDATE persons SET version = version + 1 WHERE id = NEW.person; END;
CREATE TRIGGER screenings_update_version AFTER UPDATE ON screenings
BEGIN UPDATE persons SET version = version + 1 WHERE id IN (OLD.person, NEW.person); END;
CREATE TRIGGER screenings_delete_version AFTER DELETE ON screenings
BEGIN UPDATE persons SET version = version + 1 WHERE id = OLD.person; END;

CREATE TRIGGER assignments_insert_version AFTER INSERT ON assignments
BEGIN UPDATE persons SET version = version + 1 WHERE id = NEW.patient; END;
CREATE TRIGGER assignments_update_version AFTER UPDATE ON assignments
BEGIN UPDATE persons SET version = version + 1 WHERE id IN (OLD.patient, NEW.patient); END;
CREATE TRIGGER assignments_delete_version AFTER DELETE ON assignments
BEGIN UPDATE persons SET version = version + 1 WHERE id = OLD.patient; END;
