-- Clearances a clinician reviews, and names people choose (schema version
-- 11). A clinician may confirm a clearance a patient reported or withdraw
-- one (kept in the screening's clearance JSON, logged as `confirmed` or
-- `withdrew`); SQLite cannot change a CHECK constraint in place, so
-- audit_log is made again with the wider one and its rows copied over
-- (nothing refers to it). An account gets the name its owner wants shown
-- instead of their address.

CREATE TABLE audit_log_new (
    id      TEXT PRIMARY KEY NOT NULL,
    patient TEXT NOT NULL REFERENCES persons (id),
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL REFERENCES persons (id),
    action  TEXT NOT NULL
        CHECK (action IN ('invited', 'granted', 'revoked', 'viewed', 'assigned', 'messaged', 'cleared',
                          'acknowledged', 'confirmed', 'withdrew')),
    detail  TEXT NOT NULL
) STRICT;

INSERT INTO audit_log_new (id, patient, at, actor, action, detail)
    SELECT id, patient, at, actor, action, detail FROM audit_log;

DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;

CREATE INDEX audit_log_patient_at ON audit_log (patient, at);

ALTER TABLE accounts ADD COLUMN display_name TEXT;
