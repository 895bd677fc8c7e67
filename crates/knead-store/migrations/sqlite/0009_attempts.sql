-- Attempts (schema version 9) replace failed sign-ins: one table counts
-- every attempt a guesser would repeat, per key (signing in per email
-- address and per client address, invitation codes per code and per
-- client address), so that every server sees one count. A row is a
-- SHA-256 (lowercase hex) made from what is counted and why, and when the
-- attempt lapses: each purpose has its own window, so the row carries its
-- end rather than its start. No address, no reference to accounts.
-- The failed sign-ins of version 7 are not carried over: they lapse
-- within 15 minutes, and an upgrade gives those addresses a fresh
-- allowance once.

DROP TABLE failed_sign_ins;

CREATE TABLE attempts (
    key_hash  TEXT NOT NULL,
    lapses_at TEXT NOT NULL
) STRICT;

-- Counting one key's attempts; removing lapsed ones of every key.
CREATE INDEX attempts_key_lapses ON attempts (key_hash, lapses_at);
CREATE INDEX attempts_lapses ON attempts (lapses_at);
