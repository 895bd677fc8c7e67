-- A clinician can record that they assessed a patient's back pain and that
-- self-massage is fine (schema version 6): the audit log gets the action
-- `cleared`. SQLite cannot change a CHECK constraint in place, so the table
-- is made again with the wider one and its rows copied over; nothing refers
-- to audit_log, so dropping the old table breaks no reference.

CREATE TABLE audit_log_new (
    id      TEXT PRIMARY KEY NOT NULL,
    patient TEXT NOT NULL REFERENCES persons (id),
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL REFERENCES persons (id),
    action  TEXT NOT NULL
        CHECK (action IN ('invited', 'granted', 'revoked', 'viewed', 'assigned', 'messaged', 'cleared')),
    detail  TEXT NOT NULL
) STRICT;

INSERT INTO audit_log_new (id, patient, at, actor, action, detail)
    SELECT id, patient, at, actor, action, detail FROM audit_log;

DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;

CREATE INDEX audit_log_patient_at ON audit_log (patient, at);
