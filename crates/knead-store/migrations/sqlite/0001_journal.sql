-- Knead journal, schema version 1.
--
-- Times are RFC 3339 UTC text with exactly nine fractional digits
-- (2025-03-01T08:00:00.123456789Z): fixed width, so text order is time
-- order and a chrono DateTime<Utc> comes back exactly. Ids are hyphenated
-- lowercase UUID text. JSON columns hold the records' serde form.
-- The schema version itself is kept in PRAGMA user_version (set by the
-- program after migrating), read before any migration runs.

CREATE TABLE persons (
    id       TEXT PRIMARY KEY NOT NULL,
    -- 1 for the single person of a local (terminal) journal.
    is_local INTEGER NOT NULL DEFAULT 0 CHECK (is_local IN (0, 1))
) STRICT;

CREATE UNIQUE INDEX persons_one_local ON persons (is_local) WHERE is_local = 1;

CREATE TABLE screenings (
    id           TEXT PRIMARY KEY NOT NULL,
    person       TEXT NOT NULL REFERENCES persons (id),
    at           TEXT NOT NULL,
    disposition  TEXT NOT NULL,
    pack_version TEXT NOT NULL,
    intake       TEXT NOT NULL CHECK (json_valid(intake)),
    result       TEXT NOT NULL CHECK (json_valid(result)),
    clearance    TEXT CHECK (clearance IS NULL OR json_valid(clearance))
) STRICT;

CREATE INDEX screenings_person_at ON screenings (person, at);

-- Small rows: summaries read many at a time. Plans live in session_plans.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY NOT NULL,
    person       TEXT NOT NULL REFERENCES persons (id),
    started_at   TEXT NOT NULL,
    ended_at     TEXT,
    status       TEXT NOT NULL,
    -- Active seconds per technique, {"hands": 120}: summaries read it without the steps.
    usage        TEXT NOT NULL CHECK (json_valid(usage)),
    pain_before  INTEGER NOT NULL,
    pain_after   INTEGER,
    region       TEXT,
    note         TEXT,
    -- A reference only: a synced session may arrive before its screening.
    screening_id TEXT,
    stop_reason  TEXT,
    pack_version TEXT NOT NULL,
    -- The summary as JSON, made by SQLite on every write: summaries only join these.
    summary      TEXT GENERATED ALWAYS AS (json_array(id, started_at, ended_at, status, json(usage), pain_before,
                     pain_after, region, note)) STORED
) STRICT;

CREATE INDEX sessions_person_started ON sessions (person, started_at, id);
CREATE INDEX sessions_open ON sessions (person) WHERE status = 'in_progress';

-- The planner's JSON, kilobytes each: kept apart so summaries never page through it.
CREATE TABLE session_plans (
    session TEXT PRIMARY KEY NOT NULL REFERENCES sessions (id),
    plan    TEXT NOT NULL CHECK (json_valid(plan))
) STRICT;

CREATE TABLE session_steps (
    session        TEXT NOT NULL REFERENCES sessions (id),
    seq            INTEGER NOT NULL,
    technique      TEXT NOT NULL,
    step_id        TEXT NOT NULL,
    started_at     TEXT NOT NULL,
    ended_at       TEXT NOT NULL,
    active_seconds INTEGER NOT NULL,
    outcome        TEXT NOT NULL,
    PRIMARY KEY (session, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE checkins (
    id        TEXT PRIMARY KEY NOT NULL,
    person    TEXT NOT NULL REFERENCES persons (id),
    at        TEXT NOT NULL,
    week_pain INTEGER NOT NULL,
    change    INTEGER NOT NULL
) STRICT;

CREATE INDEX checkins_person_at ON checkins (person, at);
