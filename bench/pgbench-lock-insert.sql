-- pgbench: what recording a session asks of PostgreSQL at the least. Per
-- transaction, a person's row locked and one row inserted for them, the
-- shape of `record_session_within` (bench/web.sh runs it beside Knead).
-- `persons` is set with -D: 1 for one person (every transaction waits on the
-- same lock), or as many as Knead's run has patients.
\set p random(1, :persons)
BEGIN;
SELECT n FROM bench_persons WHERE n = :p FOR UPDATE;
INSERT INTO bench_sessions (id, person, started_at, usage) VALUES (gen_random_uuid(), :p, now(), '{"hands":300}');
END;
