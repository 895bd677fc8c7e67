//! Knead's journal: the [`Store`] trait, its records and its errors, with
//! the embedded SQLite backend ([`sqlite::SqliteStore`]) and the PostgreSQL
//! backend ([`postgres::PgStore`]); both also keep the web app's
//! [`accounts::Accounts`], what patients share with clinicians
//! ([`sharing::Sharing`]), calendar feeds ([`calendars::Calendars`]) and
//! mail: the outbox, the opt-in and e-mailed links ([`mail::Mailing`]).
//!
//! The store keeps; it never decides. Everything clinical (limits, trends,
//! escalation) is computed by knead-core from what the store returns.
//! Every write is one transaction. Writes carry ids made by the caller, so
//! repeating a write (a retry, an offline sync, a re-import) changes
//! nothing, while the same id with different content is refused.

pub mod accounts;
pub mod any;
pub mod calendars;
mod codec;
pub mod mail;
pub mod postgres;
pub mod sharing;
pub mod sqlite;

use chrono::{DateTime, NaiveDate, Utc};
use knead_core::limits::DayRoom;
use knead_core::planner::DayUsage;
use knead_core::records::{
    CheckIn, ImportReport, Journal, PersonId, ScreeningRecord, SessionEnd, SessionPain, SessionRecord,
    SessionSummary, StepDone,
};
use std::future::Future;
use uuid::Uuid;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record is not there (or belongs to someone else: the two are not told apart).
    #[error("no such {what}")]
    NotFound {
        /// What was looked for.
        what: &'static str,
    },
    /// A record with this id exists with different content.
    #[error("{what} {id} already exists with different content")]
    Conflict {
        /// What kind of record.
        what: &'static str,
        /// Its id.
        id: Uuid,
    },
    /// A value that must be unique is in use (an account's address).
    #[error("this {what} is already in use")]
    Taken {
        /// What is taken.
        what: &'static str,
    },
    /// The request makes no sense for the record's state (e.g. a step for a finished session).
    #[error("{0}")]
    Invalid(String),
    /// The session does not fit its day ([`Store::record_session_within`]):
    /// what the day held before it. The caller says why in words
    /// (`knead_core::limits::broken_limits`).
    #[error("the session does not fit its day, which already holds {} sessions", .0.sessions)]
    DayFull(DayUsage),
    /// The journal was written by a newer Knead.
    #[error("the journal has schema version {found}; this Knead understands up to {supported}: update Knead")]
    TooNew {
        /// The journal's version.
        found: i64,
        /// The newest this build knows.
        supported: i64,
    },
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A stored JSON value could not be read back.
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
}

/// A half-open time range `[from, to)`; `None` is unbounded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Period {
    /// From this moment (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Up to this moment (exclusive).
    pub to: Option<DateTime<Utc>>,
}

/// The newest sessions of a period and how many the period holds (see
/// [`Store::latest_session_summaries`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Latest {
    /// The newest sessions, oldest first.
    pub sessions: Vec<SessionSummary>,
    /// How many sessions the period holds, these included.
    pub total: u64,
}

/// Where a session stands in a journal's order: its start, then its id.
/// A page of sessions goes on after the last one of the page before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SessionKey {
    /// When it began.
    pub started_at: DateTime<Utc>,
    /// Its id.
    pub id: Uuid,
}

impl SessionKey {
    /// The key of `session`.
    pub fn of(session: &SessionRecord) -> SessionKey {
        SessionKey { started_at: session.started_at, id: session.id }
    }

    /// The key of a session's summary.
    pub fn of_summary(summary: &SessionSummary) -> SessionKey {
        SessionKey { started_at: summary.started_at, id: summary.id }
    }
}

/// The journal's operations. Every method is scoped to one person: a
/// backend never returns another person's records.
pub trait Store: Send + Sync {
    /// The single person of a local journal, created on first use.
    fn local_person(&self) -> impl Future<Output = Result<PersonId, StoreError>> + Send;

    /// Keep a screening.
    fn add_screening(
        &self,
        person: PersonId,
        screening: &ScreeningRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Screenings, newest first, at most `limit`.
    fn screenings(
        &self,
        person: PersonId,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<ScreeningRecord>, StoreError>> + Send;

    /// One screening of the person, by id.
    fn screening(
        &self,
        person: PersonId,
        id: Uuid,
    ) -> impl Future<Output = Result<Option<ScreeningRecord>, StoreError>> + Send;

    /// The latest day of a clearance in force (not withdrawn) kept with one
    /// of the person's screenings (pain readings up to it are not judged):
    /// the newest [`ScreeningRecord::cleared_on`] of them all.
    fn cleared_on(
        &self,
        person: PersonId,
    ) -> impl Future<Output = Result<Option<NaiveDate>, StoreError>> + Send;

    /// When a clinician last withdrew one of the person's clearances.
    fn last_withdrawal(
        &self,
        person: PersonId,
    ) -> impl Future<Output = Result<Option<DateTime<Utc>>, StoreError>> + Send;

    /// Each person's journal version: a number that changes whenever one of
    /// their sessions, screenings or assigned programs is written, so that a
    /// judgement made from them can be kept until it does. Persons not
    /// there are left out.
    fn journal_versions(
        &self,
        persons: &[PersonId],
    ) -> impl Future<Output = Result<Vec<(PersonId, i64)>, StoreError>> + Send;

    /// Start a guided session: kept at once as `in_progress`, so a crash cannot lose it.
    fn begin_session(
        &self,
        person: PersonId,
        session: &SessionRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Append a finished step to a session in progress (and add to its usage).
    fn add_step(
        &self,
        person: PersonId,
        session: Uuid,
        step: &StepDone,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Close a session in progress.
    fn finish_session(
        &self,
        person: PersonId,
        session: Uuid,
        end: &SessionEnd,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Keep a whole session at once (logged, imported or synced).
    fn record_session(
        &self,
        person: PersonId,
        session: &SessionRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Keep a whole session if `room` admits what the person's other
    /// sessions in `day` used. The day is read and the session kept with
    /// the person's writes held back, so sessions sent at once are judged
    /// one after another and cannot pass a daily limit together. The
    /// limits are the caller's (knead-core's [`DayRoom`]): the store keeps,
    /// it does not decide. The same session again is kept already and is
    /// not judged again; a refusal is [`StoreError::DayFull`] and keeps
    /// nothing.
    fn record_session_within(
        &self,
        person: PersonId,
        session: &SessionRecord,
        day: Period,
        room: &DayRoom,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Mark every session still `in_progress` as `interrupted`, ended at its
    /// last step (or its start); returns how many. Called when a program
    /// starts, so a session whose process died is kept, never lost.
    fn interrupt_open_sessions(
        &self,
        person: PersonId,
    ) -> impl Future<Output = Result<u32, StoreError>> + Send;

    /// One session in full.
    fn session(
        &self,
        person: PersonId,
        id: Uuid,
    ) -> impl Future<Output = Result<Option<SessionRecord>, StoreError>> + Send;

    /// Sessions in a period, oldest first, without plans and steps.
    fn session_summaries(
        &self,
        person: PersonId,
        period: Period,
    ) -> impl Future<Output = Result<Vec<SessionSummary>, StoreError>> + Send;

    /// The pain of each session in a period, oldest first (as
    /// [`Store::session_summaries`] orders them): what a judgement of pain
    /// over time reads, a few bytes a session however long the journal.
    fn session_pains(
        &self,
        person: PersonId,
        period: Period,
    ) -> impl Future<Output = Result<Vec<SessionPain>, StoreError>> + Send;

    /// The newest `limit` sessions of a period, oldest first (as
    /// [`Store::session_summaries`] gives them), with how many sessions the
    /// period holds in all: a screen shows the last few and says how many
    /// it left out. Only those asked for are read.
    fn latest_session_summaries(
        &self,
        person: PersonId,
        period: Period,
        limit: u32,
    ) -> impl Future<Output = Result<Latest, StoreError>> + Send;

    /// Sessions of a period, oldest first, without plans and steps, those
    /// after `after` (as the last of the page before gave it), at most
    /// `limit`: a list as long as the journal is sent a page at a time.
    fn summaries_page(
        &self,
        person: PersonId,
        period: Period,
        after: Option<SessionKey>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<SessionSummary>, StoreError>> + Send;

    /// Sessions in full (plans and steps), oldest first, those after
    /// `after` (a session's start and id, as the last of the page before
    /// gave them), at most `limit`: an export reads a long journal a page at
    /// a time instead of holding it whole (see [`Store::export_head`]).
    fn sessions_page(
        &self,
        person: PersonId,
        after: Option<SessionKey>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<SessionRecord>, StoreError>> + Send;

    /// The export without its sessions (screenings and check-ins): an
    /// export that pages the sessions with [`Store::sessions_page`].
    fn export_head(
        &self,
        person: PersonId,
        exported_at: DateTime<Utc>,
    ) -> impl Future<Output = Result<Journal, StoreError>> + Send;

    /// Keep a weekly check-in.
    fn add_checkin(
        &self,
        person: PersonId,
        checkin: &CheckIn,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Check-ins, oldest first.
    fn checkins(&self, person: PersonId) -> impl Future<Output = Result<Vec<CheckIn>, StoreError>> + Send;

    /// Everything, for the JSON export.
    fn export(
        &self,
        person: PersonId,
        exported_at: DateTime<Utc>,
    ) -> impl Future<Output = Result<Journal, StoreError>> + Send;

    /// Take a journal back in one transaction: all of it or none of it.
    fn import(
        &self,
        person: PersonId,
        journal: &Journal,
    ) -> impl Future<Output = Result<ImportReport, StoreError>> + Send;
}
