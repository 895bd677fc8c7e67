-- Threads (schema version 14): every message is between the patient and
-- one clinician (`clinician`), written by one of the two, and `read_at`
-- is when the other one, its recipient, read it: the patient a
-- clinician's message (as before), the clinician a patient's.
--
-- Rows kept before threads move over as follows. A clinician's message
-- belongs to the thread of its author. A patient's reply belongs to the
-- thread of the clinician whose message came last before it (what it
-- answered), or else, when none had written, of the clinician the patient
-- gave access to first (the earliest grant, revoked or not). A reply from
-- a patient who never gave anyone access was read by no one and has no
-- thread to go to: it is not kept. Clinicians had no read marks before,
-- so earlier replies start unread: their clinician sees them as new once.

ALTER TABLE messages ADD COLUMN clinician uuid REFERENCES persons (id);

UPDATE messages SET clinician = author WHERE author <> patient;

UPDATE messages m SET clinician = COALESCE(
    (SELECT c.author FROM messages c
       WHERE c.patient = m.patient AND c.author <> c.patient AND c.at <= m.at
       ORDER BY c.at DESC, c.id DESC LIMIT 1),
    (SELECT g.clinician FROM grants g WHERE g.patient = m.patient
       ORDER BY g.granted_at, g.id LIMIT 1))
WHERE m.author = m.patient;

DELETE FROM messages WHERE clinician IS NULL;

ALTER TABLE messages ALTER COLUMN clinician SET NOT NULL;
ALTER TABLE messages ADD CHECK (clinician <> patient);
ALTER TABLE messages ADD CHECK (author IN (patient, clinician));

CREATE INDEX messages_thread ON messages (clinician, patient, at);
