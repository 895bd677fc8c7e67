//! [`Mailing`] on SQLite.

use super::{SqliteStore, id_text, parse_id, parse_time, person_text, time_text};
use crate::StoreError;
use crate::codec::corrupt;
use crate::mail::{AccountToken, Claimed, Mail, Mailing, TokenPurpose};
use chrono::{DateTime, Utc};
use knead_core::records::PersonId;
use sqlx::FromRow;
use uuid::Uuid;

#[derive(FromRow)]
struct MailRow {
    id: String,
    person: String,
    recipient: String,
    subject: String,
    body: String,
    queued_at: String,
    attempts: i64,
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
                to: self.recipient,
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
        sqlx::query(
            "INSERT INTO mail_outbox (id, person, recipient, subject, body, queued_at, due_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id_text(mail.id))
        .bind(person_text(mail.person))
        .bind(&mail.to)
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
             RETURNING id, person, recipient, subject, body, queued_at, attempts",
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
