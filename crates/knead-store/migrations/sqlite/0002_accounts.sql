-- Accounts and sign-ins for the web app (schema version 2).
-- The password is kept only as its argon2id hash, a sign-in only as the
-- SHA-256 of its token (lowercase hex): the token lives in the cookie.

CREATE TABLE accounts (
    person        TEXT PRIMARY KEY NOT NULL REFERENCES persons (id),
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
) STRICT;

CREATE TABLE sign_ins (
    token_hash TEXT PRIMARY KEY NOT NULL,
    person     TEXT NOT NULL REFERENCES persons (id),
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;

CREATE INDEX sign_ins_person_expires ON sign_ins (person, expires_at);
