-- Mail (schema version 12): the e-mail notices a person opted into, the
-- outbox a server sends from (a mail is due at `due_at`; claiming it moves
-- `due_at` to the end of the claim, so a server that dies while sending
-- leaves it to another), and the single-use tokens an e-mailed link
-- carries, kept as the SHA-256 of the secret. A sent mail is deleted.

ALTER TABLE accounts ADD COLUMN email_notices boolean NOT NULL DEFAULT false;

CREATE TABLE mail_outbox (
    id        uuid PRIMARY KEY,
    person    uuid NOT NULL REFERENCES persons (id),
    recipient text NOT NULL,
    subject   text NOT NULL,
    body      text NOT NULL,
    queued_at timestamptz NOT NULL,
    due_at    timestamptz NOT NULL,
    attempts  integer NOT NULL DEFAULT 0
);

CREATE INDEX mail_outbox_due ON mail_outbox (due_at);

CREATE TABLE account_tokens (
    token_hash text PRIMARY KEY,
    person     uuid NOT NULL REFERENCES persons (id),
    purpose    text NOT NULL CHECK (purpose IN ('reset_password', 'change_email')),
    new_email  text,
    expires_at timestamptz NOT NULL
);

CREATE INDEX account_tokens_person ON account_tokens (person, purpose);
