-- A clinician acknowledges a patient's red flags (schema version 8): the
-- warning-sign screenings up to `through` are seen, so they no longer keep
-- the patient at the top of that clinician's list; a newer one does again.
-- The audit log gets the action `acknowledged`. SQLite cannot change a
-- CHECK constraint in place, so audit_log is made again with the wider one
-- and its rows copied over (nothing refers to it).

CREATE TABLE acknowledgements (
    id        TEXT PRIMARY KEY NOT NULL,
    patient   TEXT NOT NULL REFERENCES persons (id),
    clinician TEXT NOT NULL REFERENCES persons (id),
    at        TEXT NOT NULL,
    through   TEXT NOT NULL,
    note      TEXT
) STRICT;

CREATE INDEX acknowledgements_clinician ON acknowledgements (clinician, patient, through);

CREATE TABLE audit_log_new (
    id      TEXT PRIMARY KEY NOT NULL,
    patient TEXT NOT NULL REFERENCES persons (id),
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL REFERENCES persons (id),
    action  TEXT NOT NULL
        CHECK (action IN ('invited', 'granted', 'revoked', 'viewed', 'assigned', 'messaged', 'cleared',
                          'acknowledged')),
    detail  TEXT NOT NULL
) STRICT;

INSERT INTO audit_log_new (id, patient, at, actor, action, detail)
    SELECT id, patient, at, actor, action, detail FROM audit_log;

DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;

CREATE INDEX audit_log_patient_at ON audit_log (patient, at);
