//! Accounts and sign-in sessions for the web app: the [`Accounts`] trait,
//! implemented by both backends next to the journal.
//!
//! The store keeps what the web layer made: a password hash (argon2id, made
//! by the caller; the store never sees a password) and the SHA-256 of a
//! sign-in token (the token itself lives only in the person's cookie, so a
//! copy of the database cannot be used to sign in).
//!
//! It also counts failed sign-ins per email address ([`FailedSignIns`]), so
//! that every server behind a load balancer sees the same count: a limit
//! kept in one server's memory gives an attacker one allowance per server.

use crate::StoreError;
use chrono::{DateTime, Utc};
use knead_core::records::PersonId;
use std::future::Future;
use std::num::NonZeroU32;

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

/// What [`FailedSignIns::count_failed_sign_in`] did with an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Counted as a failure (until cleared): go on and check the password.
    Counted,
    /// Not counted, because `limit` failures already count. `earliest` is
    /// the earliest of the newest `limit`: once it is no longer after
    /// `since`, one more attempt is let through.
    Refused {
        /// When the earliest failure that refuses this attempt was counted.
        earliest: DateTime<Utc>,
    },
}

/// Failed sign-ins, counted per key: the SHA-256 (lowercase hex) of the
/// normalised email address, made by the caller. The store keeps the key
/// and the time, nothing else, and does not look at accounts: an address
/// without one is counted like any other. The limit and the window are
/// the caller's; the store keeps, it does not decide.
pub trait FailedSignIns: Send + Sync {
    /// Count an attempt under `key_hash` at `at` as failed, before its
    /// password is checked, unless `limit` failures after `since` count
    /// already: then it is [`Attempt::Refused`] and not counted (a refused
    /// attempt checks no password, so it is no guess). Counting first and
    /// in one transaction per key means attempts made at once, on any
    /// number of servers, cannot pass the limit together while their
    /// passwords are being checked. Failures no later than `since`, of any
    /// key, are removed.
    fn count_failed_sign_in(
        &self,
        key_hash: &str,
        at: DateTime<Utc>,
        since: DateTime<Utc>,
        limit: NonZeroU32,
    ) -> impl Future<Output = Result<Attempt, StoreError>> + Send;

    /// Forget every failure under `key_hash` (the password was right).
    fn clear_failed_sign_ins(&self, key_hash: &str) -> impl Future<Output = Result<(), StoreError>> + Send;
}
