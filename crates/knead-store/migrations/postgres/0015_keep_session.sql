-- A session kept by one statement (schema version 15).
--
-- Keeping a session within its day's limits took five round trips: BEGIN,
-- lock the person's row, insert, read the day, COMMIT. This function does
-- all of it in one call, so a session is one statement in a transaction of
-- its own. The person's row is locked first; a VOLATILE function under READ
-- COMMITTED reads each later statement with a fresh snapshot, so the day it
-- reads holds every session kept before the lock was had, and two sessions
-- sent at once cannot pass a limit together.
--
-- The limits are the caller's (knead-core's DayRoom): how many sessions,
-- and how many seconds of each limited technique, the day may hold before
-- this session; a NULL `sessions_before` judges nothing (an import). The
-- function compares numbers; it knows no doses.
--
-- `kept` is 'added'; 'exists' when a session with this id is kept already
-- (the caller compares the two: a retry, or a conflict); or 'full' when the
-- day has no room, with what the day held (`held_sessions`, and
-- `held_seconds` as a JSON object of seconds by technique). Nothing is kept
-- unless it is 'added'.
CREATE FUNCTION keep_session(
    p_id uuid, p_person uuid, p_screening uuid, p_started timestamptz, p_ended timestamptz,
    p_status text, p_stop_reason text, p_usage text, p_pain_before bigint, p_pain_after bigint,
    p_region text, p_note text, p_pack_version text, p_plan text,
    p_step_seqs bigint[], p_step_techniques text[], p_step_ids text[], p_step_starts timestamptz[],
    p_step_ends timestamptz[], p_step_seconds bigint[], p_step_outcomes text[],
    p_day_from timestamptz, p_day_to timestamptz,
    p_sessions_before bigint, p_limited text[], p_seconds_before bigint[],
    OUT kept text, OUT held_sessions bigint, OUT held_seconds text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    usages text[];
BEGIN
    PERFORM 1 FROM persons WHERE id = p_person FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO persons (id) VALUES (p_person) ON CONFLICT (id) DO NOTHING;
        PERFORM 1 FROM persons WHERE id = p_person FOR UPDATE;
    END IF;
    -- The same session again is kept already: not judged against its day.
    IF EXISTS (SELECT 1 FROM sessions WHERE id = p_id) THEN
        kept := 'exists';
        RETURN;
    END IF;
    IF p_sessions_before IS NOT NULL THEN
        -- One read of the day; seconds are added up only for the techniques
        -- with a daily limit, and by technique only when the day is full.
        SELECT count(*), coalesce(array_agg(usage), '{}') INTO held_sessions, usages FROM sessions
         WHERE person = p_person
           AND (p_day_from IS NULL OR started_at >= p_day_from) AND (p_day_to IS NULL OR started_at < p_day_to);
        IF held_sessions > p_sessions_before OR (cardinality(p_limited) > 0 AND EXISTS (
            SELECT 1 FROM unnest(p_limited, p_seconds_before) AS room (technique, most)
             WHERE (SELECT coalesce(sum((u::json ->> room.technique)::bigint), 0) FROM unnest(usages) AS u)
                   > room.most)) THEN
            SELECT coalesce(json_object_agg(technique, seconds), '{}')::text INTO held_seconds FROM (
                SELECT e.key AS technique, sum(e.value::bigint) AS seconds
                  FROM unnest(usages) AS u, json_each_text(u::json) AS e
                 GROUP BY e.key) AS by_technique;
            kept := 'full';
            RETURN;
        END IF;
    END IF;
    INSERT INTO sessions (id, person, screening_id, started_at, ended_at, status, stop_reason, usage,
                          pain_before, pain_after, region, note, pack_version)
    VALUES (p_id, p_person, p_screening, p_started, p_ended, p_status, p_stop_reason, p_usage,
            p_pain_before, p_pain_after, p_region, p_note, p_pack_version)
    ON CONFLICT (id) DO NOTHING;
    IF NOT FOUND THEN
        -- Another person's session with this id, kept since the check above.
        kept := 'exists';
        RETURN;
    END IF;
    IF p_plan IS NOT NULL THEN
        INSERT INTO session_plans (session, plan) VALUES (p_id, p_plan);
    END IF;
    INSERT INTO session_steps (session, seq, technique, step_id, started_at, ended_at, active_seconds, outcome)
    SELECT p_id, step.* FROM unnest(p_step_seqs, p_step_techniques, p_step_ids, p_step_starts,
                                    p_step_ends, p_step_seconds, p_step_outcomes) AS step;
    kept := 'added';
END;
$$;

-- The person's version (migration 5) moved by static statements: the
-- dynamic EXECUTE it had was parsed and planned again for every row, about
-- a fifth of what keeping a session cost the database. An update that
-- keeps the person moves their version once.
CREATE OR REPLACE FUNCTION bump_person_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- TG_ARGV[0] names the column that holds the person.
    IF TG_ARGV[0] = 'person' THEN
        IF TG_OP <> 'INSERT' THEN
            UPDATE persons SET version = version + 1 WHERE id = OLD.person;
        END IF;
        IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.person IS DISTINCT FROM OLD.person) THEN
            UPDATE persons SET version = version + 1 WHERE id = NEW.person;
        END IF;
    ELSIF TG_ARGV[0] = 'patient' THEN
        IF TG_OP <> 'INSERT' THEN
            UPDATE persons SET version = version + 1 WHERE id = OLD.patient;
        END IF;
        IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.patient IS DISTINCT FROM OLD.patient) THEN
            UPDATE persons SET version = version + 1 WHERE id = NEW.patient;
        END IF;
    ELSE
        RAISE EXCEPTION 'bump_person_version: no person column %', TG_ARGV[0];
    END IF;
    RETURN NULL;
END;
$$;
