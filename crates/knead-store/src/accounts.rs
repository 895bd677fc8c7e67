//! Accounts and sign-in sessions for the web app: the [`Accounts`] trait,
//! implemented by both backends next to the journal.
//!
//! The store keeps what the web layer made: a password hash (argon2id, made
//! by the caller; the store never sees a password) and the SHA-256 of a
//! sign-in token (the token itself lives only in the person's cookie, so a
//! copy of the database cannot be used to sign in).
//!
//! It also counts attempts that a guesser would repeat ([`Attempts`]: signing
//! in per account and per client address, invitation codes), so that every
//! server behind a load balancer sees the same count: a limit kept in one
//! server's memory gives an attacker one allowance per server.

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

    /// Give `person`'s account a new password hash and end every other
    /// sign-in of theirs (all but the one under `keep`), in one
    /// transaction: whoever knew the old password is out. An unknown
    /// person changes nothing.
    fn set_password(
        &self,
        person: PersonId,
        password_hash: &str,
        keep: Option<&str>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The name `person` chose to be shown by (`None`: their address is).
    /// An unknown person changes nothing.
    fn set_display_name(
        &self,
        person: PersonId,
        name: Option<&str>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The name `person` chose to be shown by, if any.
    fn display_name(
        &self,
        person: PersonId,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;

    /// End every sign-in of `person` ("sign out everywhere").
    fn close_sign_ins(&self, person: PersonId) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Erase a person and all that is theirs, in one transaction (see
    /// [`ERASE`]). Erasing one that is gone is fine.
    fn erase(&self, person: PersonId) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// What erasing a person removes, in order, each statement with the
/// person's id as `$1` (GDPR Art. 17). Theirs, all of it: the account and
/// sign-ins, screenings, sessions, check-ins, calendar addresses, their
/// own audit log, their queued mail, the devices they are notified on and e-mailed links, the programs and messages on their record, the
/// invitations they made, every grant to or from them (so access ends at
/// once) and the acknowledgements made by or about them. What stays is in
/// other people's records: a line in a patient's audit log, a program
/// written by a clinician who is gone, and the thread of messages a patient
/// had with them (theirs and the patient's). Those keep only the
/// person's bare id (no address, no name), and only then is their row in
/// `persons` kept, to hold them.
pub const ERASE: &[&str] = &[
    "DELETE FROM session_steps WHERE session IN (SELECT id FROM sessions WHERE person = $1)",
    "DELETE FROM session_plans WHERE session IN (SELECT id FROM sessions WHERE person = $1)",
    "DELETE FROM sessions WHERE person = $1",
    "DELETE FROM screenings WHERE person = $1",
    "DELETE FROM checkins WHERE person = $1",
    "DELETE FROM sign_ins WHERE person = $1",
    "DELETE FROM calendar_feeds WHERE person = $1",
    "DELETE FROM mail_outbox WHERE person = $1",
    "DELETE FROM push_subscriptions WHERE person = $1",
    "DELETE FROM progress_notices WHERE patient = $1",
    "DELETE FROM account_tokens WHERE person = $1",
    "DELETE FROM acknowledgements WHERE patient = $1 OR clinician = $1",
    "DELETE FROM messages WHERE patient = $1",
    "DELETE FROM assignments WHERE patient = $1",
    "DELETE FROM audit_log WHERE patient = $1",
    "DELETE FROM grants WHERE patient = $1 OR clinician = $1",
    "DELETE FROM invitations WHERE patient = $1",
    "DELETE FROM accounts WHERE person = $1",
    "DELETE FROM persons WHERE id = $1 \
       AND NOT EXISTS (SELECT 1 FROM audit_log WHERE actor = $1) \
       AND NOT EXISTS (SELECT 1 FROM messages WHERE clinician = $1) \
       AND NOT EXISTS (SELECT 1 FROM assignments WHERE clinician = $1) \
       AND NOT EXISTS (SELECT 1 FROM invitations WHERE used_by = $1)",
];

/// What [`Attempts::count_attempt`] did with an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Counted (until it lapses or is forgotten): go on.
    Counted,
    /// Not counted, because `limit` attempts under the key have not
    /// lapsed yet. At `until` the earliest of them lapses, and one more
    /// attempt is let through.
    Refused {
        /// When one more attempt will be let through.
        until: DateTime<Utc>,
    },
}

/// Attempts at something a guesser would repeat (signing in, accepting an
/// invitation code), counted per key in the database, so that every
/// server sees one count. A key is a SHA-256 (lowercase hex) made by the
/// caller from what is counted (an email address, a client address, a
/// code) and why; the store keeps the key and when the attempt lapses,
/// nothing else, and looks at no account, so an address without one is
/// counted like any other. How many and for how long are the caller's:
/// the store keeps, it does not decide.
pub trait Attempts: Send + Sync {
    /// Count an attempt under `key_hash`, lapsing at `lapses_at`, unless
    /// `limit` attempts under it have not lapsed at `now`: then it is
    /// [`Attempt::Refused`] and not counted (a refused attempt tries
    /// nothing, so it is no guess). Counting comes before the attempt is
    /// judged and is one transaction per key, so attempts made at once,
    /// on any number of servers, cannot pass the limit together. Attempts
    /// of any key lapsed at `now` are removed.
    fn count_attempt(
        &self,
        key_hash: &str,
        now: DateTime<Utc>,
        lapses_at: DateTime<Utc>,
        limit: NonZeroU32,
    ) -> impl Future<Output = Result<Attempt, StoreError>> + Send;

    /// Forget every attempt under `key_hash` (say, the password was right).
    fn forget_attempts(&self, key_hash: &str) -> impl Future<Output = Result<(), StoreError>> + Send;
}
