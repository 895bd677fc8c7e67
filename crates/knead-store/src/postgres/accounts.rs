//! [`Accounts`] on PostgreSQL.

use super::PgStore;
use crate::StoreError;
use crate::accounts::{Account, Accounts, Attempt, Attempts, Role, SignIn};
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

    async fn set_password(
        &self,
        person: PersonId,
        password_hash: &str,
        keep: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE accounts SET password_hash = $2 WHERE person = $1")
            .bind(person.0)
            .bind(password_hash)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sign_ins WHERE person = $1 AND token_hash IS DISTINCT FROM $2")
            .bind(person.0)
            .bind(keep)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_display_name(&self, person: PersonId, name: Option<&str>) -> Result<(), StoreError> {
        sqlx::query("UPDATE accounts SET display_name = $2 WHERE person = $1")
            .bind(person.0)
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn display_name(&self, person: PersonId) -> Result<Option<String>, StoreError> {
        let name: Option<Option<String>> =
            sqlx::query_scalar("SELECT display_name FROM accounts WHERE person = $1")
                .bind(person.0)
                .fetch_optional(&self.pool)
                .await?;
        Ok(name.flatten())
    }

    async fn close_sign_ins(&self, person: PersonId) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_ins WHERE person = $1").bind(person.0).execute(&self.pool).await?;
        Ok(())
    }

    async fn erase(&self, person: PersonId) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        for statement in crate::accounts::ERASE {
            sqlx::query(statement).bind(person.0).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

impl Attempts for PgStore {
    async fn count_attempt(
        &self,
        key_hash: &str,
        now: DateTime<Utc>,
        lapses_at: DateTime<Utc>,
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
            "DELETE FROM attempts WHERE ctid = ANY (ARRAY (\
                SELECT ctid FROM attempts WHERE lapses_at <= $1 FOR UPDATE SKIP LOCKED))",
        )
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let until: Option<DateTime<Utc>> = sqlx::query_scalar(
            "SELECT lapses_at FROM attempts WHERE key_hash = $1 AND lapses_at > $2 \
             ORDER BY lapses_at DESC LIMIT 1 OFFSET $3",
        )
        .bind(key_hash)
        .bind(now)
        .bind(i64::from(limit.get()) - 1)
        .fetch_optional(&mut *tx)
        .await?;
        let attempt = match until {
            Some(until) => Attempt::Refused { until },
            None => {
                sqlx::query("INSERT INTO attempts (key_hash, lapses_at) VALUES ($1, $2)")
                    .bind(key_hash)
                    .bind(lapses_at)
                    .execute(&mut *tx)
                    .await?;
                Attempt::Counted
            }
        };
        tx.commit().await?;
        Ok(attempt)
    }

    async fn forget_attempts(&self, key_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM attempts WHERE key_hash = $1").bind(key_hash).execute(&self.pool).await?;
        Ok(())
    }
}
