//! Accounts and sign-in sessions for the web app: the [`Accounts`] trait,
//! implemented by both backends next to the journal.
//!
//! The store keeps what the web layer made: a password hash (argon2id, made
//! by the caller; the store never sees a password) and the SHA-256 of a
//! sign-in token (the token itself lives only in the person's cookie, so a
//! copy of the database cannot be used to sign in).

use crate::StoreError;
use crate::records::PersonId;
use chrono::{DateTime, Utc};
use std::future::Future;

/// What an account is for, chosen at sign-up and never changed: a
/// patient keeps a journal; a clinician sees the patients who invited them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Keeps their own journal.
    Patient,
    /// Follows patients who granted access.
    Clinician,
}

impl Role {
    /// The word the database and the API use.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Patient => "patient",
            Role::Clinician => "clinician",
        }
    }

    /// Read the word back.
    pub fn parse(word: &str) -> Option<Self> {
        [Role::Patient, Role::Clinician].into_iter().find(|r| r.as_str() == word)
    }
}

/// An account: a person who signs in with an email address and a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The person whose journal this is.
    pub person: PersonId,
    /// Patient or clinician.
    pub role: Role,
    /// The address, as the web layer normalised it (trimmed, lowercase).
    pub email: String,
    /// The password's hash in PHC string form (`$argon2id$...`).
    pub password_hash: String,
    /// When the account was made.
    pub created_at: DateTime<Utc>,
}

/// A signed-in browser: who, the token that guards its forms against
/// cross-site requests, and when it lapses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignIn {
    /// Who signed in.
    pub person: PersonId,
    /// Their account's role, filled in when read (ignored when written).
    pub role: Role,
    /// The anti-forgery token of this sign-in (random, sent with every form).
    pub csrf: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// After this moment it is gone.
    pub expires_at: DateTime<Utc>,
}

/// Accounts and sign-ins. Token hashes are lowercase hex SHA-256.
pub trait Accounts: Send + Sync {
    /// Make an account (and its person). An address in use is
    /// [`StoreError::Taken`]; nothing is written then.
    fn create_account(&self, account: &Account) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The account with this (normalised) address.
    fn account_by_email(
        &self,
        email: &str,
    ) -> impl Future<Output = Result<Option<Account>, StoreError>> + Send;

    /// Keep a sign-in under the hash of its token; sign-ins of the same
    /// person that lapsed before `sign_in.created_at` are removed.
    fn open_sign_in(
        &self,
        token_hash: &str,
        sign_in: &SignIn,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The sign-in with this token hash, if it has not lapsed at `now`.
    fn sign_in(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<SignIn>, StoreError>> + Send;

    /// Forget a sign-in (signing out). Forgetting one that is gone is fine.
    fn close_sign_in(&self, token_hash: &str) -> impl Future<Output = Result<(), StoreError>> + Send;
}
