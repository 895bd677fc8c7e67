-- Failed sign-ins (schema version 7), counted per email address in the
-- database, so that every server sees the same count and guessing one
-- account's password is limited however many servers or client addresses
-- the guesses come through. A row is the SHA-256 (lowercase hex) of the
-- normalised address and the time: no address, no reference to accounts
-- (unknown addresses are counted like known ones). Rows older than the
-- window are deleted as new attempts come; a right password deletes its
-- address's rows.

CREATE TABLE failed_sign_ins (
    key_hash text NOT NULL,
    at       timestamptz NOT NULL
);

-- Counting one address's recent failures; pruning old ones of every address.
CREATE INDEX failed_sign_ins_key_at ON failed_sign_ins (key_hash, at);
CREATE INDEX failed_sign_ins_at ON failed_sign_ins (at);
