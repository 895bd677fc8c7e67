//! [`Mailing`] on SQLite.

use super::{SqliteStore, id_text, parse_id, parse_time, person_text, time_text};
use crate::StoreError;
use crate::codec::corrupt;
use crate::mail::{AccountToken, Claimed, Mail, Mailing, PushSubscription, Recipient, TokenPurpose};
use chrono::{DateTime, Utc};
use knead_core::records::PersonId;
use sqlx::FromRow;
use uuid::Uuid;

#[derive(FromRow)]
struct MailRow {
    id: String,
    person: String,
    recipient: String,
    push_p256dh: Option<String>,
    push_auth: Option<String>,
    subject: String,
    body: String,
    queued_at: String,
    attempts: i64,
}

#[derive(FromRow)]
struct DeviceRow {
    person: String,
    endpoint: String,
    p256dh: String,
    auth: String,
}

impl MailRow {
    fn decode(self) -> Result<Claimed, StoreError> {
        let bad = |field: &str, problem: String| corrupt("mail", &self.id, field, problem);
        Ok(Claimed {
            attempts: u32::try_from(self.attempts)
                .map_err(|_| bad("attempts", format!("{} is out of range", self.attempts)))?,
            mail: Mail {
                id: parse_id(&self.id).map_err(|e| bad("id", e))?,
                person: PersonId(parse_id(&self.person).map_err(|e| bad("person", e))?),
                queued_at: parse_time(&self.queued_at).map_err(|e| bad("queued_at", e))?,
                to: Recipient::from_row(self.recipient, self.push_p256dh, self.push_auth)
                    .map_err(|e| bad("recipient", e))?,
                subject: self.subject,
                body: self.body,
            },
        })
    }
}

#[derive(FromRow)]
struct TokenRow {
    token_hash: String,
    person: String,
    purpose: String,
    new_email: Option<String>,
    expires_at: String,
}

/// A token with its account's address.
#[derive(FromRow)]
struct PeekRow {
    #[sqlx(flatten)]
    token: TokenRow,
    email: String,
}

impl TokenRow {
    fn decode(self) -> Result<AccountToken, StoreError> {
        // The hash names the token in the error: it is not the secret.
        let bad = |field: &str, problem: String| corrupt("account token", &self.token_hash, field, problem);
        Ok(AccountToken {
            person: PersonId(parse_id(&self.person).map_err(|e| bad("person", e))?),
            purpose: TokenPurpose::from_row(&self.purpose, self.new_email.clone())
                .map_err(|e| bad("purpose", e))?,
            expires_at: parse_time(&self.expires_at).map_err(|e| bad("expires_at", e))?,
            token_hash: self.token_hash,
        })
    }
}

impl Mailing for SqliteStore {
    async fn set_email_notices(&self, person: PersonId, on: bool) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE accounts SET email_notices = ? WHERE person = ?")
            .bind(on)
            .bind(person_text(person))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn email_notices(&self, person: PersonId) -> Result<bool, StoreError> {
        let on: Option<bool> = sqlx::query_scalar("SELECT email_notices FROM accounts WHERE person = ?")
            .bind(person_text(person))
            .fetch_optional(&self.pool)
            .await?;
        Ok(on.unwrap_or(false))
    }

    async fn notice_addresses(&self, persons: &[PersonId]) -> Result<Vec<(PersonId, String)>, StoreError> {
        let mut found = Vec::new();
        // A handful at most (a patient's clinicians): one query each.
        for &person in persons {
            let email: Option<String> =
                sqlx::query_scalar("SELECT email FROM accounts WHERE person = ? AND email_notices = 1")
                    .bind(person_text(person))
                    .fetch_optional(&self.pool)
                    .await?;
            found.extend(email.map(|email| (person, email)));
        }
        Ok(found)
    }

    async fn queue_mail(&self, mail: &Mail) -> Result<(), StoreError> {
        let queued = time_text(&mail.queued_at, "mail.queued_at")?;
        let mut tx = self.begin_write().await?;
        let (recipient, p256dh, auth) = mail.to.columns();
        sqlx::query(
            "INSERT INTO mail_outbox (id, person, recipient, push_p256dh, push_auth, subject, body, queued_at, due_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id_text(mail.id))
        .bind(person_text(mail.person))
        .bind(recipient)
        .bind(p256dh)
        .bind(auth)
        .bind(&mail.subject)
        .bind(&mail.body)
        .bind(&queued)
        .bind(&queued)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn claim_mail(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Claimed>, StoreError> {
        let mut tx = self.begin_write().await?;
        let rows: Vec<MailRow> = sqlx::query_as(
            "UPDATE mail_outbox SET due_at = ?, attempts = attempts + 1 WHERE id IN \
               (SELECT id FROM mail_outbox WHERE due_at <= ? ORDER BY due_at LIMIT ?) \
             RETURNING id, person, recipient, push_p256dh, push_auth, subject, body, queued_at, attempts",
        )
        .bind(time_text(&lease_until, "lease_until")?)
        .bind(time_text(&now, "now")?)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let mut claimed = rows.into_iter().map(MailRow::decode).collect::<Result<Vec<_>, _>>()?;
        claimed.sort_by_key(|c| c.mail.queued_at);
        Ok(claimed)
    }

    async fn forget_mail(&self, id: Uuid) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM mail_outbox WHERE id = ?").bind(id_text(id)).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn retry_mail(&self, id: Uuid, retry_at: DateTime<Utc>) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE mail_outbox SET due_at = ? WHERE id = ?")
            .bind(time_text(&retry_at, "retry_at")?)
            .bind(id_text(id))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_push_subscription(
        &self,
        person: PersonId,
        subscription: &PushSubscription,
        at: DateTime<Utc>,
        keep: u32,
    ) -> Result<(), StoreError> {
        let person = person_text(person);
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO push_subscriptions (endpoint, person, p256dh, auth, created_at) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT (endpoint) DO UPDATE SET person = excluded.person, p256dh = excluded.p256dh, \
               auth = excluded.auth, created_at = excluded.created_at",
        )
        .bind(&subscription.endpoint)
        .bind(&person)
        .bind(&subscription.p256dh)
        .bind(&subscription.auth)
        .bind(time_text(&at, "push_subscription.created_at")?)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM push_subscriptions WHERE person = ?1 AND endpoint NOT IN \
               (SELECT endpoint FROM push_subscriptions WHERE person = ?1 ORDER BY created_at DESC LIMIT ?2)",
        )
        .bind(&person)
        .bind(i64::from(keep))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn remove_push_subscription(&self, person: PersonId, endpoint: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM push_subscriptions WHERE person = ? AND endpoint = ?")
            .bind(person_text(person))
            .bind(endpoint)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn push_gone(&self, endpoint: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM push_subscriptions WHERE endpoint = ?")
            .bind(endpoint)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn push_subscriptions(
        &self,
        persons: &[PersonId],
    ) -> Result<Vec<(PersonId, PushSubscription)>, StoreError> {
        let mut found = Vec::new();
        // A handful of persons at most (a patient's clinicians): one query each.
        for &person in persons {
            let rows: Vec<DeviceRow> = sqlx::query_as(
                "SELECT person, endpoint, p256dh, auth FROM push_subscriptions WHERE person = ? ORDER BY created_at",
            )
            .bind(person_text(person))
            .fetch_all(&self.pool)
            .await?;
            for row in rows {
                let person = parse_id(&row.person)
                    .map_err(|e| corrupt("push subscription", &row.endpoint, "person", e))?;
                found.push((
                    PersonId(person),
                    PushSubscription { endpoint: row.endpoint, p256dh: row.p256dh, auth: row.auth },
                ));
            }
        }
        Ok(found)
    }

    async fn server_key(&self, name: &str, candidate: &str) -> Result<String, StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO server_keys (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(candidate)
            .execute(&mut *tx)
            .await?;
        let kept: String = sqlx::query_scalar("SELECT value FROM server_keys WHERE name = ?")
            .bind(name)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(kept)
    }

    async fn flag_noticed(
        &self,
        patient: PersonId,
        flag: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let news = sqlx::query(
            "INSERT INTO progress_notices (patient, flag, at) VALUES (?, ?, ?) \
             ON CONFLICT (patient) DO UPDATE SET flag = excluded.flag, at = excluded.at \
               WHERE progress_notices.flag <> excluded.flag \
             RETURNING patient",
        )
        .bind(person_text(patient))
        .bind(flag)
        .bind(time_text(&at, "progress_notice.at")?)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
        tx.commit().await?;
        Ok(news)
    }

    async fn open_token(&self, token: &AccountToken) -> Result<(), StoreError> {
        let person = person_text(token.person);
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM account_tokens WHERE person = ? AND purpose = ?")
            .bind(&person)
            .bind(token.purpose.word())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO account_tokens (token_hash, person, purpose, new_email, expires_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&token.token_hash)
        .bind(&person)
        .bind(token.purpose.word())
        .bind(token.purpose.new_email())
        .bind(time_text(&token.expires_at, "token.expires_at")?)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn peek_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(AccountToken, String)>, StoreError> {
        let row: Option<PeekRow> = sqlx::query_as(
            "SELECT t.token_hash, t.person, t.purpose, t.new_email, t.expires_at, a.email \
             FROM account_tokens t JOIN accounts a ON a.person = t.person WHERE t.token_hash = ?",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(PeekRow { token, email }) = row else {
            return Ok(None);
        };
        let token = token.decode()?;
        Ok((token.expires_at > now).then_some((token, email)))
    }

    async fn use_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<AccountToken>, StoreError> {
        let mut tx = self.begin_write().await?;
        let row: Option<TokenRow> = sqlx::query_as(
            "DELETE FROM account_tokens WHERE token_hash = ? \
             RETURNING token_hash, person, purpose, new_email, expires_at",
        )
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(token) = row.map(TokenRow::decode).transpose()? else {
            return Ok(None);
        };
        if token.expires_at <= now {
            tx.commit().await?;
            return Ok(None);
        }
        let person = person_text(token.person);
        let exists: Option<String> = sqlx::query_scalar("SELECT person FROM accounts WHERE person = ?")
            .bind(&person)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            tx.commit().await?;
            return Ok(None);
        }
        if let TokenPurpose::ChangeEmail { to } = &token.purpose {
            let taken: Option<String> = sqlx::query_scalar("SELECT person FROM accounts WHERE email = ?")
                .bind(to)
                .fetch_optional(&mut *tx)
                .await?;
            if taken.is_some_and(|other| other != person) {
                tx.commit().await?;
                return Err(StoreError::Taken { what: "email" });
            }
            sqlx::query("UPDATE accounts SET email = ? WHERE person = ?")
                .bind(to)
                .bind(&person)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Some(token))
    }
}
