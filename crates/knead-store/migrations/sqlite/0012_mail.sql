-- Mail (schema version 12): the e-mail notices a person opted into, the
-- outbox a server sends from (a mail is due at `due_at`; claiming it moves
-- `due_at` to the end of the claim, so a server that dies while sending
-- leaves it to another), and the single-use tokens an e-mailed link
-- carries, kept as the SHA-256 of the secret. A sent mail is deleted.

ALTER TABLE accounts ADD COLUMN email_notices INTEGER NOT NULL DEFAULT 0 CHECK (email_notices IN (0, 1));

CREATE TABLE mail_outbox (
    id        TEXT PRIMARY KEY NOT NULL,
    person    TEXT NOT NULL REFERENCES persons (id),
    recipient TEXT NOT NULL,
    subject   TEXT NOT NULL,
    body      TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    due_at    TEXT NOT NULL,
    attempts  INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX mail_outbox_due ON mail_outbox (due_at);

CREATE TABLE account_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    person     TEXT NOT NULL REFERENCES persons (id),
    purpose    TEXT NOT NULL CHECK (purpose IN ('reset_password', 'change_email')),
    new_email  TEXT,
    expires_at TEXT NOT NULL
) STRICT;

CREATE INDEX account_tokens_person ON account_tokens (person, purpose);
