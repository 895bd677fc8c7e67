//! [`Accounts`] on PostgreSQL.

use super::PgStore;
use crate::StoreError;
use crate::accounts::{Account, Accounts, SignIn};
use crate::records::PersonId;
use chrono::{DateTime, Utc};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(FromRow)]
struct AccountRow {
    person: Uuid,
    email: String,
    password_hash: String,
    created_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct SignInRow {
    person: Uuid,
    csrf: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

impl Accounts for PgStore {
    async fn create_account(&self, account: &Account) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO persons (id) VALUES ($1)").bind(account.person.0).execute(&mut *tx).await?;
        // ON CONFLICT rather than a look first: two sign-ups racing for one
        // address both get an answer, and only one gets the account.
        let added = sqlx::query(
            "INSERT INTO accounts (person, email, password_hash, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (email) DO NOTHING",
        )
        .bind(account.person.0)
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
        let row: Option<AccountRow> =
            sqlx::query_as("SELECT person, email, password_hash, created_at FROM accounts WHERE email = $1")
                .bind(email)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|r| Account {
            person: PersonId(r.person),
            email: r.email,
            password_hash: r.password_hash,
            created_at: r.created_at,
        }))
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
        let row: Option<SignInRow> = sqlx::query_as(
            "SELECT person, csrf, created_at, expires_at FROM sign_ins WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| SignIn {
            person: PersonId(r.person),
            csrf: r.csrf,
            created_at: r.created_at,
            expires_at: r.expires_at,
        }))
    }

    async fn close_sign_in(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_ins WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
