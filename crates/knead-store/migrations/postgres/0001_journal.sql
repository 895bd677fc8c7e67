-- Knead journal on PostgreSQL, schema version 1.
--
-- Times are timestamptz (microseconds: what PostgreSQL keeps). Ids are uuid.
-- JSON columns are text holding the records' serde form, byte for byte:
-- jsonb would reorder keys and rewrite numbers (-0.0, 1e300), and the
-- journal must give back exactly what was written.
-- The schema version is kept in knead_schema (PostgreSQL has no
-- user_version), set by the program after migrating and read before any
-- migration runs.

CREATE TABLE knead_schema (
    one     boolean PRIMARY KEY DEFAULT true CHECK (one),
    version bigint NOT NULL
);

CREATE TABLE persons (
    id       uuid PRIMARY KEY,
    -- true for the single person of a local (terminal) journal.
    is_local boolean NOT NULL DEFAULT false
);

CREATE UNIQUE INDEX persons_one_local ON persons (is_local) WHERE is_local;

CREATE TABLE screenings (
    id           uuid PRIMARY KEY,
    person       uuid NOT NULL REFERENCES persons (id),
    at           timestamptz NOT NULL,
    disposition  text NOT NULL,
    pack_version text NOT NULL,
    intake       text NOT NULL,
    result       text NOT NULL,
    clearance    text
);

CREATE INDEX screenings_person_at ON screenings (person, at);

-- Small rows: summaries read many at a time. Plans live in session_plans.
CREATE TABLE sessions (
    id           uuid PRIMARY KEY,
    person       uuid NOT NULL REFERENCES persons (id),
    started_at   timestamptz NOT NULL,
    ended_at     timestamptz,
    status       text NOT NULL,
    -- Active seconds per technique, {"hands": 120}: summaries read it without the steps.
    usage        text NOT NULL,
    pain_before  bigint NOT NULL,
    pain_after   bigint,
    region       text,
    note         text,
    -- A reference only: a synced session may arrive before its screening.
    screening_id uuid,
    stop_reason  text,
    pack_version text NOT NULL
);

CREATE INDEX sessions_person_started ON sessions (person, started_at, id);
CREATE INDEX sessions_open ON sessions (person) WHERE status = 'in_progress';

CREATE TABLE session_plans (
    session uuid PRIMARY KEY REFERENCES sessions (id),
    plan    text NOT NULL
);

CREATE TABLE session_steps (
    session        uuid NOT NULL REFERENCES sessions (id),
    seq            bigint NOT NULL,
    technique      text NOT NULL,
    step_id        text NOT NULL,
    started_at     timestamptz NOT NULL,
    ended_at       timestamptz NOT NULL,
    active_seconds bigint NOT NULL,
    outcome        text NOT NULL,
    PRIMARY KEY (session, seq)
);

CREATE TABLE checkins (
    id        uuid PRIMARY KEY,
    person    uuid NOT NULL REFERENCES persons (id),
    at        timestamptz NOT NULL,
    week_pain bigint NOT NULL,
    change    bigint NOT NULL
);

CREATE INDEX checkins_person_at ON checkins (person, at);
