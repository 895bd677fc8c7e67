-- Accounts and sign-ins for the web app (schema version 2).
-- The password is kept only as its argon2id hash, a sign-in only as the
-- SHA-256 of its token (lowercase hex): the token lives in the cookie.

CREATE TABLE accounts (
    person        uuid PRIMARY KEY REFERENCES persons (id),
    email         text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL
);

CREATE TABLE sign_ins (
    token_hash text PRIMARY KEY,
    person     uuid NOT NULL REFERENCES persons (id),
    csrf       text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE INDEX sign_ins_person_expires ON sign_ins (person, expires_at);
