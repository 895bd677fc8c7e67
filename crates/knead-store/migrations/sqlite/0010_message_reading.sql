-- Messages to be read before the next session (schema version 10): a
-- clinician may mark a message `before_session`; the patient's plan waits
-- until they have read it (`read_at`, set when the patient reads the
-- messages written to them; never on their own).

ALTER TABLE messages ADD COLUMN before_session INTEGER NOT NULL DEFAULT 0 CHECK (before_session IN (0, 1));
ALTER TABLE messages ADD COLUMN read_at TEXT;
