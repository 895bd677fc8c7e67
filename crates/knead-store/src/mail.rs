//! Mail: e-mail notices people opted into, the devices they asked to be
//! notified on (Web Push), the outbox that sends both, and the single-use
//! tokens an e-mailed link carries (a forgotten password, a new address
//! to confirm).
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

/// A mail to send: an e-mail, or a push to one of a person's devices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// Its id, also its `Message-ID`: the same mail sent twice is one mail.
    pub id: Uuid,
    /// Whose it is: erasing them erases it.
    pub person: PersonId,
    /// Where it goes.
    pub to: Recipient,
    /// Its subject line.
    pub subject: String,
    /// Its plain-text body.
    pub body: String,
    /// When it was queued.
    pub queued_at: DateTime<Utc>,
}

/// Where a mail goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// An e-mail address (the account's, or a new one to confirm).
    Email(String),
    /// A device, through its push service.
    Push(PushSubscription),
}

impl Recipient {
    /// As kept: the address or endpoint, and a push's two keys.
    pub(crate) fn columns(&self) -> (&str, Option<&str>, Option<&str>) {
        match self {
            Self::Email(address) => (address, None, None),
            Self::Push(device) => (&device.endpoint, Some(&device.p256dh), Some(&device.auth)),
        }
    }

    pub(crate) fn from_row(
        recipient: String,
        p256dh: Option<String>,
        auth: Option<String>,
    ) -> Result<Self, String> {
        match (p256dh, auth) {
            (None, None) => Ok(Self::Email(recipient)),
            (Some(p256dh), Some(auth)) => {
                Ok(Self::Push(PushSubscription { endpoint: recipient, p256dh, auth }))
            }
            _ => Err("a push with only one of its two keys".to_owned()),
        }
    }
}

/// A browser's push subscription (the Push API's `PushSubscription`): the
/// push service's address for one device, and the keys a message to it is
/// encrypted to (RFC 8291), as the browser gives them: checked by the
/// application before they are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushSubscription {
    /// The push service's address for the device (`https://…`).
    pub endpoint: String,
    /// The device's P-256 public key, base64url.
    pub p256dh: String,
    /// The device's authentication secret, base64url.
    pub auth: String,
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

    /// Notify `person` on the device `subscription` is for, from `at`. A
    /// device already kept (the same endpoint, whoever's it was) is theirs
    /// now, with these keys; beyond the newest `keep` of theirs, older
    /// devices are dropped.
    fn add_push_subscription(
        &self,
        person: PersonId,
        subscription: &PushSubscription,
        at: DateTime<Utc>,
        keep: u32,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Stop notifying `person` on the device at `endpoint` (not theirs, or
    /// gone: nothing changes).
    fn remove_push_subscription(
        &self,
        person: PersonId,
        endpoint: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The push service says the device at `endpoint` is gone: forget it,
    /// whoever's it was.
    fn push_gone(&self, endpoint: &str) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Of `persons`, the devices each asked to be notified on.
    fn push_subscriptions(
        &self,
        persons: &[PersonId],
    ) -> impl Future<Output = Result<Vec<(PersonId, PushSubscription)>, StoreError>> + Send;

    /// The value kept under `name`, shared by every server of this
    /// database: `candidate` is kept when there is none yet, so servers
    /// starting at once agree on the first one kept.
    fn server_key(
        &self,
        name: &str,
        candidate: &str,
    ) -> impl Future<Output = Result<String, StoreError>> + Send;

    /// The §4 flag `patient`'s clinicians are told of is `flag` (a name
    /// for one flag in one stretch of the journal) from `at`: `true` when
    /// it is news (another flag, or none, was told before), so it is told
    /// once, whichever server judges it and however often.
    fn flag_noticed(
        &self,
        patient: PersonId,
        flag: &str,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

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
