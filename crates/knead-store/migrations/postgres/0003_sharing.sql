-- Sharing with clinicians (schema version 3): every account gets a role;
-- a patient's invitations, the grants of access they became, the audit log
-- of who did what with the patient's data, home programs a clinician
-- assigned, and messages. Invitation codes are kept only as their SHA-256
-- (lowercase hex), like sign-in tokens. JSON is text, as in version 1.

-- Accounts made before roles were patients: only patients could sign up.
ALTER TABLE accounts ADD COLUMN role text NOT NULL DEFAULT 'patient' CHECK (role IN ('patient', 'clinician'));

CREATE TABLE invitations (
    code_hash  text PRIMARY KEY,
    patient    uuid NOT NULL REFERENCES persons (id),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    -- Both set when a clinician accepts it (an invitation is used once).
    used_at    timestamptz,
    used_by    uuid REFERENCES persons (id),
    CHECK ((used_at IS NULL) = (used_by IS NULL))
);

CREATE TABLE grants (
    id         uuid PRIMARY KEY,
    patient    uuid NOT NULL REFERENCES persons (id),
    clinician  uuid NOT NULL REFERENCES persons (id),
    granted_at timestamptz NOT NULL,
    revoked_at timestamptz,
    CHECK (patient <> clinician)
);

-- At most one live grant per clinician and patient; revoked ones are history.
CREATE UNIQUE INDEX grants_live ON grants (patient, clinician) WHERE revoked_at IS NULL;
CREATE INDEX grants_patient ON grants (patient, granted_at);
CREATE INDEX grants_clinician ON grants (clinician, granted_at);

CREATE TABLE audit_log (
    id      uuid PRIMARY KEY,
    patient uuid NOT NULL REFERENCES persons (id),
    at      timestamptz NOT NULL,
    actor   uuid NOT NULL REFERENCES persons (id),
    action  text NOT NULL
        CHECK (action IN ('invited', 'granted', 'revoked', 'viewed', 'assigned', 'messaged')),
    detail  text NOT NULL
);

CREATE INDEX audit_log_patient_at ON audit_log (patient, at);

-- Earlier assignments are kept: the newest is the one in force.
CREATE TABLE assignments (
    id               uuid PRIMARY KEY,
    patient          uuid NOT NULL REFERENCES persons (id),
    clinician        uuid NOT NULL REFERENCES persons (id),
    assigned_at      timestamptz NOT NULL,
    -- The techniques' words, a JSON array: ["foam_roller", "hands"].
    techniques       text NOT NULL,
    sessions_per_day bigint NOT NULL,
    days_per_week    bigint NOT NULL,
    weeks            bigint NOT NULL,
    note             text
);

CREATE INDEX assignments_patient_assigned ON assignments (patient, assigned_at);

CREATE TABLE messages (
    id      uuid PRIMARY KEY,
    patient uuid NOT NULL REFERENCES persons (id),
    author  uuid NOT NULL REFERENCES persons (id),
    at      timestamptz NOT NULL,
    text    text NOT NULL
);

CREATE INDEX messages_patient_at ON messages (patient, at);
