//! [`Mailing`] on PostgreSQL.

use super::PgStore;
use super::micros::cut;
use crate::StoreError;
use crate::codec::corrupt;
use crate::mail::{AccountToken, Claimed, Mail, Mailing, PushSubscription, Recipient, TokenPurpose};
use chrono::{DateTime, Utc};
use knead_core::records::PersonId;
use sqlx::FromRow;
use uuid::Uuid;

#[derive(FromRow)]
struct MailRow {
    id: Uuid,
    person: Uuid,
    recipient: String,
    push_p256dh: Option<String>,
    push_auth: Option<String>,
    subject: String,
    body: String,
    queued_at: DateTime<Utc>,
    attempts: i32,
}

impl MailRow {
    fn decode(self) -> Result<Claimed, StoreError> {
        let bad = |field: &str, problem: String| corrupt("mail", &self.id.to_string(), field, problem);
        Ok(Claimed {
            attempts: u32::try_from(self.attempts)
                .map_err(|_| bad("attempts", format!("{} is out of range", self.attempts)))?,
            mail: Mail {
                id: self.id,
                person: PersonId(self.person),
                to: Recipient::from_row(self.recipient, self.push_p256dh, self.push_auth)
                    .map_err(|e| bad("recipient", e))?,
                subject: self.subject,
                body: self.body,
                queued_at: self.queued_at,
            },
        })
    }
}

#[derive(FromRow)]
struct TokenRow {
    token_hash: String,
    person: Uuid,
    purpose: String,
    new_email: Option<String>,
    expires_at: DateTime<Utc>,
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
        Ok(AccountToken {
            // The hash names the token in the error: it is not the secret.
            purpose: TokenPurpose::from_row(&self.purpose, self.new_email)
                .map_err(|e| corrupt("account token", &self.token_hash, "purpose", e))?,
            token_hash: self.token_hash,
            person: PersonId(self.person),
            expires_at: self.expires_at,
        })
    }
}

impl Mailing for PgStore {
    async fn set_email_notices(&self, person: PersonId, on: bool) -> Result<(), StoreError> {
        sqlx::query("UPDATE accounts SET email_notices = $2 WHERE person = $1")
            .bind(person.0)
            .bind(on)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn email_notices(&self, person: PersonId) -> Result<bool, StoreError> {
        let on: Option<bool> = sqlx::query_scalar("SELECT email_notices FROM accounts WHERE person = $1")
            .bind(person.0)
            .fetch_optional(&self.pool)
            .await?;
        Ok(on.unwrap_or(false))
    }

    async fn notice_addresses(&self, persons: &[PersonId]) -> Result<Vec<(PersonId, String)>, StoreError> {
        let ids: Vec<Uuid> = persons.iter().map(|p| p.0).collect();
        let rows: Vec<(Uuid, String)> =
            sqlx::query_as("SELECT person, email FROM accounts WHERE person = ANY($1) AND email_notices")
                .bind(&ids)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(person, email)| (PersonId(person), email)).collect())
    }

    async fn queue_mail(&self, mail: &Mail) -> Result<(), StoreError> {
        let queued = cut(mail.queued_at);
        let (recipient, p256dh, auth) = mail.to.columns();
        sqlx::query(
            "INSERT INTO mail_outbox (id, person, recipient, push_p256dh, push_auth, subject, body, queued_at, due_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (id) DO NOTHING",
        )
        .bind(mail.id)
        .bind(mail.person.0)
        .bind(recipient)
        .bind(p256dh)
        .bind(auth)
        .bind(&mail.subject)
        .bind(&mail.body)
        .bind(queued)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn claim_mail(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Claimed>, StoreError> {
        // SKIP LOCKED: servers claiming at once each take other mail.
        let rows: Vec<MailRow> = sqlx::query_as(
            "UPDATE mail_outbox SET due_at = $2, attempts = attempts + 1 WHERE id IN \
               (SELECT id FROM mail_outbox WHERE due_at <= $1 ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED) \
             RETURNING id, person, recipient, push_p256dh, push_auth, subject, body, queued_at, attempts",
        )
        .bind(now)
        .bind(lease_until)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let mut claimed = rows.into_iter().map(MailRow::decode).collect::<Result<Vec<_>, _>>()?;
        claimed.sort_by_key(|c| c.mail.queued_at);
        Ok(claimed)
    }

    async fn forget_mail(&self, id: Uuid) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM mail_outbox WHERE id = $1").bind(id).execute(&self.pool).await?;
        Ok(())
    }

    async fn retry_mail(&self, id: Uuid, retry_at: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("UPDATE mail_outbox SET due_at = $2 WHERE id = $1")
            .bind(id)
            .bind(retry_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn add_push_subscription(
        &self,
        person: PersonId,
        subscription: &PushSubscription,
        at: DateTime<Utc>,
        keep: u32,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO push_subscriptions (endpoint, person, p256dh, auth, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (endpoint) DO UPDATE SET person = excluded.person, p256dh = excluded.p256dh, \
               auth = excluded.auth, created_at = excluded.created_at",
        )
        .bind(&subscription.endpoint)
        .bind(person.0)
        .bind(&subscription.p256dh)
        .bind(&subscription.auth)
        .bind(cut(at))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM push_subscriptions WHERE person = $1 AND endpoint NOT IN \
               (SELECT endpoint FROM push_subscriptions WHERE person = $1 ORDER BY created_at DESC LIMIT $2)",
        )
        .bind(person.0)
        .bind(i64::from(keep))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn remove_push_subscription(&self, person: PersonId, endpoint: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM push_subscriptions WHERE person = $1 AND endpoint = $2")
            .bind(person.0)
            .bind(endpoint)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn push_gone(&self, endpoint: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM push_subscriptions WHERE endpoint = $1")
            .bind(endpoint)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn push_subscriptions(
        &self,
        persons: &[PersonId],
    ) -> Result<Vec<(PersonId, PushSubscription)>, StoreError> {
        let ids: Vec<Uuid> = persons.iter().map(|p| p.0).collect();
        let rows: Vec<(Uuid, String, String, String)> = sqlx::query_as(
            "SELECT person, endpoint, p256dh, auth FROM push_subscriptions WHERE person = ANY($1) \
             ORDER BY person, created_at",
        )
        .bind(&ids)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(person, endpoint, p256dh, auth)| {
                (PersonId(person), PushSubscription { endpoint, p256dh, auth })
            })
            .collect())
    }

    async fn server_key(&self, name: &str, candidate: &str) -> Result<String, StoreError> {
        // The insert and the read in one statement would miss a row another
        // server inserted at the same moment; two statements see it.
        sqlx::query("INSERT INTO server_keys (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(candidate)
            .execute(&self.pool)
            .await?;
        Ok(sqlx::query_scalar("SELECT value FROM server_keys WHERE name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await?)
    }

    async fn flag_noticed(
        &self,
        patient: PersonId,
        flag: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let news = sqlx::query(
            "INSERT INTO progress_notices (patient, flag, at) VALUES ($1, $2, $3) \
             ON CONFLICT (patient) DO UPDATE SET flag = excluded.flag, at = excluded.at \
               WHERE progress_notices.flag <> excluded.flag \
             RETURNING patient",
        )
        .bind(patient.0)
        .bind(flag)
        .bind(cut(at))
        .fetch_optional(&self.pool)
        .await?
        .is_some();
        Ok(news)
    }

    async fn open_token(&self, token: &AccountToken) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM account_tokens WHERE person = $1 AND purpose = $2")
            .bind(token.person.0)
            .bind(token.purpose.word())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO account_tokens (token_hash, person, purpose, new_email, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&token.token_hash)
        .bind(token.person.0)
        .bind(token.purpose.word())
        .bind(token.purpose.new_email())
        .bind(cut(token.expires_at))
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
             FROM account_tokens t JOIN accounts a ON a.person = t.person WHERE t.token_hash = $1",
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
            "DELETE FROM account_tokens WHERE token_hash = $1 \
             RETURNING token_hash, person, purpose, new_email, expires_at",
        )
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(token) = row.map(TokenRow::decode).transpose()? else {
            return Ok(None);
        };
        // Lock the account: a change of address and an erasure do not cross.
        let exists: Option<Uuid> =
            sqlx::query_scalar("SELECT person FROM accounts WHERE person = $1 FOR UPDATE")
                .bind(token.person.0)
                .fetch_optional(&mut *tx)
                .await?;
        if token.expires_at <= now || exists.is_none() {
            tx.commit().await?;
            return Ok(None);
        }
        if let TokenPurpose::ChangeEmail { to } = &token.purpose {
            let moved = sqlx::query(
                "UPDATE accounts SET email = $2 WHERE person = $1 \
                 AND NOT EXISTS (SELECT 1 FROM accounts WHERE email = $2 AND person <> $1)",
            )
            .bind(token.person.0)
            .bind(to)
            .execute(&mut *tx)
            .await;
            match moved {
                Ok(done) if done.rows_affected() == 1 => {}
                // Taken before, or by an account made at the same moment (the unique index).
                Ok(_) => {
                    tx.commit().await?;
                    return Err(StoreError::Taken { what: "email" });
                }
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    return Err(StoreError::Taken { what: "email" });
                }
                Err(e) => return Err(e.into()),
            }
        }
        tx.commit().await?;
        Ok(Some(token))
    }
}
