//! [`Accounts`] on PostgreSQL.

use super::PgStore;
use crate::StoreError;
use crate::accounts::{Account, Accounts, Attempt, FailedSignIns, Role, SignIn};
use crate::codec::corrupt;
use chrono::{DateTime, Utc};
use knead_core::records::PersonId;
use sqlx::FromRow;
use std::num::NonZeroU32;
use uuid::Uuid;

#[derive(FromRow)]
struct AccountRow {
    person: Uuid,
    role: String,
    email: String,
    password_hash: String,
    created_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct SignInRow {
    person: Uuid,
    role: String,
    csrf: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

fn role(text: &str, what: &str, person: Uuid) -> Result<Role, StoreError> {
    Role::parse(text)
        .ok_or_else(|| corrupt(what, &person.to_string(), "role", format!("unknown role `{text}`")))
}

impl Accounts for PgStore {
    async fn create_account(&self, account: &Account) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO persons (id) VALUES ($1)").bind(account.person.0).execute(&mut *tx).await?;
        // ON CONFLICT rather than a look first: two sign-ups racing for one
        // address both get an answer, and only one gets the account.
        let added = sqlx::query(
            "INSERT INTO accounts (person, role, email, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (email) DO NOTHING",
        )
        .bind(account.person.0)
        .bind(account.role.as_str())
        .bind(&account.email)
        .bind(&account.password_hash)
        .bind(account.created_at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if added == 0 {
            return Err(StoreError::Taken { what: "email" });
        }
        tx.commit().await?;
        Ok(())
    }

    async fn account_by_email(&self, email: &str) -> Result<Option<Account>, StoreError> {
        let row: Option<AccountRow> = sqlx::query_as(
            "SELECT person, role, email, password_hash, created_at FROM accounts WHERE email = $1",
        )
        .bind(email)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Account {
                person: PersonId(r.person),
                role: role(&r.role, "account", r.person)?,
                email: r.email,
                password_hash: r.password_hash,
                created_at: r.created_at,
            })
        })
        .transpose()
    }

    async fn open_sign_in(&self, token_hash: &str, sign_in: &SignIn) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sign_ins WHERE person = $1 AND expires_at < $2")
            .bind(sign_in.person.0)
            .bind(sign_in.created_at)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sign_ins (token_hash, person, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(sign_in.person.0)
        .bind(&sign_in.csrf)
        .bind(sign_in.created_at)
        .bind(sign_in.expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn sign_in(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<SignIn>, StoreError> {
        // The role comes with the sign-in: every request reads it, so one query.
        let row: Option<SignInRow> = sqlx::query_as(
            "SELECT s.person, a.role, s.csrf, s.created_at, s.expires_at \
             FROM sign_ins s JOIN accounts a ON a.person = s.person \
             WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(SignIn {
                person: PersonId(r.person),
                role: role(&r.role, "sign-in", r.person)?,
                csrf: r.csrf,
                created_at: r.created_at,
                expires_at: r.expires_at,
            })
        })
        .transpose()
    }

    async fn close_sign_in(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_ins WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

impl FailedSignIns for PgStore {
    async fn count_failed_sign_in(
        &self,
        key_hash: &str,
        at: DateTime<Utc>,
        since: DateTime<Utc>,
        limit: NonZeroU32,
    ) -> Result<Attempt, StoreError> {
        let mut tx = self.begin_write().await?;
        // Attempts on one key take turns until their transactions end, so
        // two servers cannot both count 9 and both let a guess through.
        // Two keys that share the 64-bit lock only take turns needlessly.
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(key_hash)
            .execute(&mut *tx)
            .await?;
        // Rows another attempt is removing are skipped, not waited for.
        sqlx::query(
            "DELETE FROM failed_sign_ins WHERE ctid = ANY (ARRAY (\
                SELECT ctid FROM failed_sign_ins WHERE at <= $1 FOR UPDATE SKIP LOCKED))",
        )
        .bind(since)
        .execute(&mut *tx)
        .await?;
        let earliest: Option<DateTime<Utc>> = sqlx::query_scalar(
            "SELECT at FROM failed_sign_ins WHERE key_hash = $1 AND at > $2 ORDER BY at DESC LIMIT 1 OFFSET $3",
        )
        .bind(key_hash)
        .bind(since)
        .bind(i64::from(limit.get()) - 1)
        .fetch_optional(&mut *tx)
        .await?;
        let attempt = match earliest {
            Some(earliest) => Attempt::Refused { earliest },
            None => {
                sqlx::query("INSERT INTO failed_sign_ins (key_hash, at) VALUES ($1, $2)")
                    .bind(key_hash)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                Attempt::Counted
            }
        };
        tx.commit().await?;
        Ok(attempt)
    }

    async fn clear_failed_sign_ins(&self, key_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM failed_sign_ins WHERE key_hash = $1")
            .bind(key_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
