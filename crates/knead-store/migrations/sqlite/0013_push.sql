-- Web Push (schema version 13): the devices a person asked to be notified
-- on (a browser's push subscription: the push service's address for it and
-- the keys its messages are encrypted to), and pushes in the outbox beside
-- e-mail: a push carries its device's keys, so it can be sent without the
-- subscription (a device dropped after queuing gets it once more at most).
-- `server_keys` holds what every server of one database shares, such as
-- the VAPID key push services know this site by. `progress_notices` holds,
-- per patient, the §4 flag their clinicians were last told of, so a flag
-- is told once, however often it is judged again.

CREATE TABLE push_subscriptions (
    endpoint   TEXT PRIMARY KEY NOT NULL,
    person     TEXT NOT NULL REFERENCES persons (id),
    p256dh     TEXT NOT NULL,
    auth       TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

CREATE INDEX push_subscriptions_person ON push_subscriptions (person, created_at);

ALTER TABLE mail_outbox ADD COLUMN push_p256dh TEXT;
ALTER TABLE mail_outbox ADD COLUMN push_auth TEXT;

CREATE TABLE server_keys (
    name  TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE progress_notices (
    patient TEXT PRIMARY KEY NOT NULL REFERENCES persons (id),
    flag    TEXT NOT NULL,
    at      TEXT NOT NULL
) STRICT;
