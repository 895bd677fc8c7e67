-- Sharing with clinicians (schema version 3): every account gets a role;
-- a patient's invitations, the grants of access they became, the audit log
-- of who did what with the patient's data, home programs a clinician
-- assigned, and messages. Invitation codes are kept only as their SHA-256
-- (lowercase hex), like sign-in tokens.

-- Accounts made before roles were patients: only patients could sign up.
ALTER TABLE accounts ADD COLUMN role TEXT NOT NULL DEFAULT 'patient' CHECK (role IN ('patient', 'clinician'));

CREATE TABLE invitations (
    code_hash  TEXT PRIMARY KEY NOT NULL,
    patient    TEXT NOT NULL REFERENCES persons (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    -- Both set when a clinician accepts it (an invitation is used once).
    used_at    TEXT,
    used_by    TEXT REFERENCES persons (id),
    CHECK ((used_at IS NULL) = (used_by IS NULL))
) STRICT;

CREATE TABLE grants (
    id         TEXT PRIMARY KEY NOT NULL,
    patient    TEXT NOT NULL REFERENCES persons (id),
    clinician  TEXT NOT NULL REFERENCES persons (id),
    granted_at TEXT NOT NULL,
    revoked_at TEXT,
    CHECK (patient <> clinician)
) STRICT;

-- At most one live grant per clinician and patient; revoked ones are history.
CREATE UNIQUE INDEX grants_live ON grants (patient, clinician) WHERE revoked_at IS NULL;
CREATE INDEX grants_patient ON grants (patient, granted_at);
CREATE INDEX grants_clinician ON grants (clinician, granted_at);

CREATE TABLE audit_log (
    id      TEXT PRIMARY KEY NOT NULL,
    patient TEXT NOT NULL REFERENCES persons (id),
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL REFERENCES persons (id),
    action  TEXT NOT NULL
        CHECK (action IN ('invited', 'granted', 'revoked', 'viewed', 'assigned', 'messaged')),
    detail  TEXT NOT NULL
) STRICT;

CREATE INDEX audit_log_patient_at ON audit_log (patient, at);

-- Earlier assignments are kept: the newest is the one in force.
CREATE TABLE assignments (
    id               TEXT PRIMARY KEY NOT NULL,
    patient          TEXT NOT NULL REFERENCES persons (id),
    clinician        TEXT NOT NULL REFERENCES persons (id),
    assigned_at      TEXT NOT NULL,
    -- The techniques' words, a JSON array: ["foam_roller", "hands"].
    techniques       TEXT NOT NULL CHECK (json_valid(techniques)),
    sessions_per_day INTEGER NOT NULL,
    days_per_week    INTEGER NOT NULL,
    weeks            INTEGER NOT NULL,
    note             TEXT
) STRICT;

CREATE INDEX assignments_patient_assigned ON assignments (patient, assigned_at);

CREATE TABLE messages (
    id      TEXT PRIMARY KEY NOT NULL,
    patient TEXT NOT NULL REFERENCES persons (id),
    author  TEXT NOT NULL REFERENCES persons (id),
    at      TEXT NOT NULL,
    text    TEXT NOT NULL
) STRICT;

CREATE INDEX messages_patient_at ON messages (patient, at);
