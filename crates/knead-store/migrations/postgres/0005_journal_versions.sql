-- A version number per person that every change to what a judgement reads
-- (sessions, screenings, assigned programs) moves on (schema version 5).
-- The web keeps judgements of patients it has made, and a judgement is
-- reused only while its person's version is unchanged: one small query
-- instead of reading a year of sessions per patient. Triggers, not the
-- write paths, move it, so no write can forget to.

ALTER TABLE persons ADD COLUMN version bigint NOT NULL DEFAULT 0;

CREATE FUNCTION bump_person_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- TG_ARGV[0] names the column that holds the person.
    IF TG_OP <> 'INSERT' THEN
        EXECUTE format('UPDATE persons SET version = version + 1 WHERE id = ($1).%I', TG_ARGV[0]) USING OLD;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        EXECUTE format('UPDATE persons SET version = version + 1 WHERE id = ($1).%I', TG_ARGV[0]) USING NEW;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER sessions_version AFTER INSERT OR UPDATE OR DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION bump_person_version('person');
CREATE TRIGGER screenings_version AFTER INSERT OR UPDATE OR DELETE ON screenings
    FOR EACH ROW EXECUTE FUNCTION bump_person_version('person');
CREATE TRIGGER assignments_version AFTER INSERT OR UPDATE OR DELETE ON assignments
    FOR EACH ROW EXECUTE FUNCTION bump_person_version('patient');
