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
--
-- SQLite cannot add a NOT NULL column without a default, nor a CHECK, in
-- place, so messages is made again and its rows copied over (nothing
-- refers to it).

CREATE TABLE messages_new (
    id             TEXT PRIMARY KEY NOT NULL,
    patient        TEXT NOT NULL REFERENCES persons (id),
    clinician      TEXT NOT NULL REFERENCES persons (id),
    author         TEXT NOT NULL REFERENCES persons (id),
    at             TEXT NOT NULL,
    text           TEXT NOT NULL,
    before_session INTEGER NOT NULL DEFAULT 0 CHECK (before_session IN (0, 1)),
    read_at        TEXT,
    CHECK (clinician <> patient),
    CHECK (author IN (patient, clinician))
) STRICT;

INSERT INTO messages_new (id, patient, clinician, author, at, text, before_session, read_at)
    SELECT id, patient, thread, author, at, text, before_session, read_at FROM (
        SELECT m.*, CASE WHEN m.author <> m.patient THEN m.author ELSE COALESCE(
            (SELECT c.author FROM messages c
               WHERE c.patient = m.patient AND c.author <> c.patient AND c.at <= m.at
               ORDER BY c.at DESC, c.id DESC LIMIT 1),
            (SELECT g.clinician FROM grants g WHERE g.patient = m.patient
               ORDER BY g.granted_at, g.id LIMIT 1)) END AS thread
        FROM messages m)
    WHERE thread IS NOT NULL;

DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;

CREATE INDEX messages_patient_at ON messages (patient, at);
CREATE INDEX messages_thread ON messages (clinician, patient, at);
