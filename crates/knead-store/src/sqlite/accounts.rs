//! [`Accounts`] on SQLite.

use super::{SqliteStore, parse_id, parse_time, person_text, time_text};
use crate::StoreError;
use crate::accounts::{Account, Accounts, Attempt, Attempts, Role, SignIn};
use crate::codec::corrupt;
use chrono::{DateTime, Utc};
use knead_core::records::PersonId;
use sqlx::FromRow;
use std::num::NonZeroU32;

#[derive(FromRow)]
struct AccountRow {
    person: String,
    role: String,
    email: String,
    password_hash: String,
    created_at: String,
}

#[derive(FromRow)]
struct SignInRow {
    person: String,
    role: String,
    csrf: String,
    created_at: String,
    expires_at: String,
}

fn person(text: &str, what: &str) -> Result<PersonId, StoreError> {
    parse_id(text).map(PersonId).map_err(|e| corrupt(what, text, "person", e))
}

fn time(text: &str, what: &str, field: &str) -> Result<DateTime<Utc>, StoreError> {
    parse_time(text).map_err(|e| corrupt(what, text, field, e))
}

fn role(text: &str, what: &str, person: &str) -> Result<Role, StoreError> {
    Role::parse(text).ok_or_else(|| corrupt(what, person, "role", format!("unknown role `{text}`")))
}

impl Accounts for SqliteStore {
    async fn create_account(&self, account: &Account) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let taken: Option<String> = sqlx::query_scalar("SELECT person FROM accounts WHERE email = ?")
            .bind(&account.email)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Taken { what: "email" });
        }
        let person = person_text(account.person);
        sqlx::query("INSERT INTO persons (id) VALUES (?)").bind(&person).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO accounts (person, role, email, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&person)
        .bind(account.role.as_str())
        .bind(&account.email)
        .bind(&account.password_hash)
        .bind(time_text(&account.created_at, "account.created_at")?)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn account_by_email(&self, email: &str) -> Result<Option<Account>, StoreError> {
        let row: Option<AccountRow> = sqlx::query_as(
            "SELECT person, role, email, password_hash, created_at FROM accounts WHERE email = ?",
        )
        .bind(email)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Account {
                person: person(&r.person, "account")?,
                role: role(&r.role, "account", &r.person)?,
                created_at: time(&r.created_at, "account", "created_at")?,
                email: r.email,
                password_hash: r.password_hash,
            })
        })
        .transpose()
    }

    async fn open_sign_in(&self, token_hash: &str, sign_in: &SignIn) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let person = person_text(sign_in.person);
        let created = time_text(&sign_in.created_at, "sign_in.created_at")?;
        sqlx::query("DELETE FROM sign_ins WHERE person = ? AND expires_at < ?")
            .bind(&person)
            .bind(&created)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sign_ins (token_hash, person, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(token_hash)
        .bind(&person)
        .bind(&sign_in.csrf)
        .bind(&created)
        .bind(time_text(&sign_in.expires_at, "sign_in.expires_at")?)
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
             WHERE s.token_hash = ? AND s.expires_at > ?",
        )
        .bind(token_hash)
        .bind(time_text(&now, "now")?)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(SignIn {
                person: person(&r.person, "sign-in")?,
                role: role(&r.role, "sign-in", &r.person)?,
                created_at: time(&r.created_at, "sign-in", "created_at")?,
                expires_at: time(&r.expires_at, "sign-in", "expires_at")?,
                csrf: r.csrf,
            })
        })
        .transpose()
    }

    async fn close_sign_in(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_ins WHERE token_hash = ?").bind(token_hash).execute(&self.pool).await?;
        Ok(())
    }

    async fn set_password(
        &self,
        person: PersonId,
        password_hash: &str,
        keep: Option<&str>,
    ) -> Result<(), StoreError> {
        let id = person_text(person);
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE accounts SET password_hash = ? WHERE person = ?")
            .bind(password_hash)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sign_ins WHERE person = ? AND token_hash IS NOT ?")
            .bind(&id)
            .bind(keep)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_display_name(&self, person: PersonId, name: Option<&str>) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE accounts SET display_name = ? WHERE person = ?")
            .bind(name)
            .bind(person_text(person))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn display_name(&self, person: PersonId) -> Result<Option<String>, StoreError> {
        let name: Option<Option<String>> =
            sqlx::query_scalar("SELECT display_name FROM accounts WHERE person = ?")
                .bind(person_text(person))
                .fetch_optional(&self.pool)
                .await?;
        Ok(name.flatten())
    }

    async fn close_sign_ins(&self, person: PersonId) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sign_ins WHERE person = ?")
            .bind(person_text(person))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn erase(&self, person: PersonId) -> Result<(), StoreError> {
        let id = person_text(person);
        let mut tx = self.begin_write().await?;
        for statement in crate::accounts::ERASE {
            // `?1` is SQLite's numbered parameter: the one id, however often named.
            sqlx::query(&statement.replace("$1", "?1")).bind(&id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

impl Attempts for SqliteStore {
    async fn count_attempt(
        &self,
        key_hash: &str,
        now: DateTime<Utc>,
        lapses_at: DateTime<Utc>,
        limit: NonZeroU32,
    ) -> Result<Attempt, StoreError> {
        let now = time_text(&now, "now")?;
        let lapses_at = time_text(&lapses_at, "lapses_at")?;
        // One writer at a time: the count and the new row cannot be split
        // by another attempt.
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM attempts WHERE lapses_at <= ?").bind(&now).execute(&mut *tx).await?;
        let until: Option<String> = sqlx::query_scalar(
            "SELECT lapses_at FROM attempts WHERE key_hash = ? ORDER BY lapses_at DESC LIMIT 1 OFFSET ?",
        )
        .bind(key_hash)
        .bind(i64::from(limit.get()) - 1)
        .fetch_optional(&mut *tx)
        .await?;
        let attempt = match until {
            Some(text) => Attempt::Refused { until: time(&text, "attempt", "lapses_at")? },
            None => {
                sqlx::query("INSERT INTO attempts (key_hash, lapses_at) VALUES (?, ?)")
                    .bind(key_hash)
                    .bind(&lapses_at)
                    .execute(&mut *tx)
                    .await?;
                Attempt::Counted
            }
        };
        tx.commit().await?;
        Ok(attempt)
    }

    async fn forget_attempts(&self, key_hash: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM attempts WHERE key_hash = ?").bind(key_hash).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }
}
