-- A clinician acknowledges a patient's red flags (schema version 8): the
-- warning-sign screenings up to `through` are seen, so they no longer keep
-- the patient at the top of that clinician's list; a newer one does again.
-- The audit log gets the action `acknowledged`.

CREATE TABLE acknowledgements (
    id        uuid PRIMARY KEY,
    patient   uuid NOT NULL REFERENCES persons (id),
    clinician uuid NOT NULL REFERENCES persons (id),
    at        timestamptz NOT NULL,
    through   timestamptz NOT NULL,
    note      text
);

CREATE INDEX acknowledgements_clinician ON acknowledgements (clinician, patient, through);

ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check
    CHECK (action IN ('invited', 'granted', 'revoked', 'viewed', 'assigned', 'messaged', 'cleared',
                      'acknowledged'));
