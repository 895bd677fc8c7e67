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
    endpoint   text PRIMARY KEY,
    person     uuid NOT NULL REFERENCES persons (id),
    p256dh     text NOT NULL,
    auth       text NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE INDEX push_subscriptions_person ON push_subscriptions (person, created_at);

ALTER TABLE mail_outbox ADD COLUMN push_p256dh text;
ALTER TABLE mail_outbox ADD COLUMN push_auth text;

CREATE TABLE server_keys (
    name  text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE progress_notices (
    patient uuid PRIMARY KEY REFERENCES persons (id),
    flag    text NOT NULL,
    at      timestamptz NOT NULL
);
