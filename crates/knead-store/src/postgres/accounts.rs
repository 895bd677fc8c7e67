//! [`Accounts`] on PostgreSQL.

use super::PgStore;
use crate::StoreError;
use crate::accounts::{Account, Accounts, Role, SignIn};
use crate::records::PersonId;
use crate::sqlite::corrupt;
use chrono::{DateTime, Utc};
use sqlx::FromRow;
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
