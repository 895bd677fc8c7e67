-- The day read by its index (schema version 16).
--
-- Migration 15's keep_session bounded the day with `p_day_from IS NULL OR
-- started_at >= p_day_from`. PL/pgSQL keeps a generic plan for it after a
-- few calls, and a generic plan cannot make an index range of a condition
-- that may be true for every row: it read all of the person's sessions and
-- filtered them, so each session kept cost more than the one before (for
-- a person with 260,000 sessions, 66 ms to read one day). An open end is now the infinite time, which the index ranges
-- over like any other. A session without steps no longer runs an empty
-- insert of its steps. Nothing else changes.
CREATE OR REPLACE FUNCTION keep_session(
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
           AND started_at >= coalesce(p_day_from, '-infinity') AND started_at < coalesce(p_day_to, 'infinity');
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
    IF cardinality(p_step_seqs) > 0 THEN
        INSERT INTO session_steps (session, seq, technique, step_id, started_at, ended_at, active_seconds, outcome)
        SELECT p_id, step.* FROM unnest(p_step_seqs, p_step_techniques, p_step_ids, p_step_starts,
                                        p_step_ends, p_step_seconds, p_step_outcomes) AS step;
    END IF;
    kept := 'added';
END;
$$;
