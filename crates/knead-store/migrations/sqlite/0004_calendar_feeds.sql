-- Private calendar subscriptions (schema version 4), kept under the
-- SHA-256 of the address's token (lowercase hex). Revoked feeds stay: a
-- token, once revoked, can never be kept again.

CREATE TABLE calendar_feeds (
    token_hash         TEXT PRIMARY KEY NOT NULL,
    person             TEXT NOT NULL REFERENCES persons (id),
    -- The local times of the reminders, a JSON array: ["08:00", "18:30"].
    times              TEXT NOT NULL CHECK (json_valid(times)),
    utc_offset_minutes INTEGER NOT NULL,
    created_at         TEXT NOT NULL,
    revoked_at         TEXT
) STRICT;

-- A person has at most one live feed; it is looked up by person.
CREATE UNIQUE INDEX calendar_feeds_live ON calendar_feeds (person) WHERE revoked_at IS NULL;
