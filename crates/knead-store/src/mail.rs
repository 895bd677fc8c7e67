//! Mail: e-mail notices people opted into, the outbox that sends them,
//! and the single-use tokens an e-mailed link carries (a forgotten
//! password, a new address to confirm).
//!
//! A request that causes a mail only queues it, in the database, and is
//! answered: sending never blocks or fails it. A sender claims what is
//! due for a while (a lease), sends it and forgets it, or puts it back
//! for later when the mail server fails. Several servers may send from
//! one outbox: a claimed mail is not claimed again until its lease ends,
//! so a server that dies while sending leaves its mail to another. That
//! is at-least-once: a mail may go twice, under the same `Message-ID`,
//! which mail programs show once.

use crate::StoreError;
use chrono::{DateTime, Utc};
use knead_core::records::PersonId;
use std::future::Future;
use uuid::Uuid;

/// A mail to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// Its id, also its `Message-ID`: the same mail sent twice is one mail.
    pub id: Uuid,
    /// Whose it is: erasing them erases it.
    pub person: PersonId,
    /// The address it goes to (their account's, or a new one to confirm).
    pub to: String,
    /// Its subject line.
    pub subject: String,
    /// Its plain-text body.
    pub body: String,
    /// When it was queued.
    pub queued_at: DateTime<Utc>,
}

/// A mail claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    /// The mail.
    pub mail: Mail,
    /// How many times it has been claimed, this one included.
    pub attempts: u32,
}

/// What a single-use token lets its bearer do, once, before it lapses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenPurpose {
    /// Choose a new password (a forgotten one).
    ResetPassword,
    /// Make `to` the account's address (it was sent there, so it is theirs).
    ChangeEmail {
        /// The new address.
        to: String,
    },
}

impl TokenPurpose {
    pub(crate) fn word(&self) -> &'static str {
        match self {
            Self::ResetPassword => "reset_password",
            Self::ChangeEmail { .. } => "change_email",
        }
    }

    pub(crate) fn new_email(&self) -> Option<&str> {
        match self {
            Self::ResetPassword => None,
            Self::ChangeEmail { to } => Some(to),
        }
    }

    pub(crate) fn from_row(word: &str, new_email: Option<String>) -> Result<Self, String> {
        match (word, new_email) {
            ("reset_password", None) => Ok(Self::ResetPassword),
            ("change_email", Some(to)) => Ok(Self::ChangeEmail { to }),
            (word, to) => {
                Err(format!("purpose `{word}` with new email {}", if to.is_some() { "set" } else { "unset" }))
            }
        }
    }
}

/// A single-use token, kept as the SHA-256 (lowercase hex) of the secret
/// the e-mailed link carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountToken {
    /// The hash of the secret.
    pub token_hash: String,
    /// Whose account it acts on.
    pub person: PersonId,
    /// What it does.
    pub purpose: TokenPurpose,
    /// When it stops working, used or not.
    pub expires_at: DateTime<Utc>,
}

/// The outbox, the opt-in, and the tokens.
pub trait Mailing: Send + Sync {
    /// Whether `person` wants e-mail notices. An unknown person changes nothing.
    fn set_email_notices(
        &self,
        person: PersonId,
        on: bool,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Whether `person` wants e-mail notices (`false` for an unknown one).
    fn email_notices(&self, person: PersonId) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Of `persons`, those who want e-mail notices, with their addresses.
    fn notice_addresses(
        &self,
        persons: &[PersonId],
    ) -> impl Future<Output = Result<Vec<(PersonId, String)>, StoreError>> + Send;

    /// Queue `mail`, due at once. The same id again is a retry: nothing changes.
    fn queue_mail(&self, mail: &Mail) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Claim at most `limit` mails due at `now`, oldest first, until
    /// `lease_until`: none of them is claimed again before then.
    fn claim_mail(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Claimed>, StoreError>> + Send;

    /// A claimed mail was sent, or is given up: forget it (gone is fine).
    fn forget_mail(&self, id: Uuid) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A claimed mail could not be sent: due again at `retry_at`.
    fn retry_mail(
        &self,
        id: Uuid,
        retry_at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Keep a new token. A token of the same purpose and person made
    /// before is dropped: only the newest link works.
    fn open_token(&self, token: &AccountToken) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The token under `token_hash`, unused and not lapsed at `now`, with
    /// its account's address, without using it (to check a new password
    /// against the address before the link is spent).
    fn peek_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<(AccountToken, String)>, StoreError>> + Send;

    /// Use the token under `token_hash` at `now`: the token, once, if it
    /// has not lapsed and its account is there; `None` otherwise (unknown,
    /// used, lapsed: told apart from nothing, so a link says nothing about
    /// an account). A token used to change the address moves the account
    /// to it in the same transaction, and is refused as taken if another
    /// account has that address by then.
    fn use_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<AccountToken>, StoreError>> + Send;
}
