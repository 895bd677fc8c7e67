//! [`AnyStore`]: one type for "the journal this server was given", SQLite or
//! PostgreSQL, chosen at start from a URL. The traits use `async fn`, so
//! they cannot be trait objects; an enum that forwards keeps the web layer
//! free of a type parameter on every handler.

use crate::accounts::{Account, Accounts, Attempt, Attempts, SignIn};
use crate::calendars::{CalendarFeed, Calendars};
use crate::mail::{AccountToken, Claimed, Mail, Mailing, PushSubscription};
use crate::postgres::PgStore;
use crate::sharing::{
    Acknowledgement, Assignment, AuditAction, AuditEntry, Grant, Invitation, Message, Sharing, ThreadSummary,
};
use crate::sqlite::SqliteStore;
use crate::{Latest, Period, SessionKey, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use knead_core::limits::DayRoom;
use knead_core::records::{
    CheckIn, Clearance, ImportReport, Journal, PersonId, ScreeningRecord, SessionEnd, SessionPain,
    SessionRecord, SessionSummary, StepDone,
};
use std::num::NonZeroU32;
use std::path::Path;
use uuid::Uuid;

/// A journal on either backend.
#[derive(Debug, Clone)]
pub enum AnyStore {
    /// An embedded SQLite file.
    Sqlite(SqliteStore),
    /// A PostgreSQL database.
    Postgres(PgStore),
}

impl AnyStore {
    /// Open `sqlite://PATH` (a file, made if missing) or
    /// `postgres://…` / `postgresql://…`, migrating it.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(StoreError::Invalid(
                    "database_url: `sqlite://` needs a file path, e.g. sqlite:///var/lib/knead/knead.db"
                        .into(),
                ));
            }
            Ok(Self::Sqlite(SqliteStore::open(Path::new(path)).await?))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(PgStore::connect(url).await?))
        } else {
            // The URL may carry a password: name only its scheme.
            let scheme = url.split_once(':').map_or("(none)", |(scheme, _)| scheme);
            Err(StoreError::Invalid(format!(
                "database_url: scheme `{scheme}` is not supported; allowed: sqlite://PATH, postgres://…"
            )))
        }
    }

    /// Close every connection.
    pub async fn close(&self) {
        match self {
            Self::Sqlite(s) => s.close().await,
            Self::Postgres(s) => s.close().await,
        }
    }

    /// Whether the database answers (a health check).
    pub async fn ping(&self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(s) => s.ping().await,
            Self::Postgres(s) => s.ping().await,
        }
    }
}

/// Forward a call to whichever backend this is.
macro_rules! forward {
    ($self:ident.$method:ident($($arg:expr),*)) => {
        match $self {
            AnyStore::Sqlite(s) => s.$method($($arg),*).await,
            AnyStore::Postgres(s) => s.$method($($arg),*).await,
        }
    };
}

impl Store for AnyStore {
    async fn local_person(&self) -> Result<PersonId, StoreError> {
        forward!(self.local_person())
    }
    async fn add_screening(&self, person: PersonId, screening: &ScreeningRecord) -> Result<(), StoreError> {
        forward!(self.add_screening(person, screening))
    }
    async fn screenings(&self, person: PersonId, limit: u32) -> Result<Vec<ScreeningRecord>, StoreError> {
        forward!(self.screenings(person, limit))
    }

    async fn screening(&self, person: PersonId, id: Uuid) -> Result<Option<ScreeningRecord>, StoreError> {
        forward!(self.screening(person, id))
    }

    async fn cleared_on(&self, person: PersonId) -> Result<Option<NaiveDate>, StoreError> {
        forward!(self.cleared_on(person))
    }

    async fn last_withdrawal(&self, person: PersonId) -> Result<Option<DateTime<Utc>>, StoreError> {
        forward!(self.last_withdrawal(person))
    }

    async fn journal_versions(&self, persons: &[PersonId]) -> Result<Vec<(PersonId, i64)>, StoreError> {
        forward!(self.journal_versions(persons))
    }
    async fn begin_session(&self, person: PersonId, session: &SessionRecord) -> Result<(), StoreError> {
        forward!(self.begin_session(person, session))
    }
    async fn add_step(&self, person: PersonId, session: Uuid, step: &StepDone) -> Result<(), StoreError> {
        forward!(self.add_step(person, session, step))
    }
    async fn finish_session(
        &self,
        person: PersonId,
        session: Uuid,
        end: &SessionEnd,
    ) -> Result<(), StoreError> {
        forward!(self.finish_session(person, session, end))
    }
    async fn record_session(&self, person: PersonId, session: &SessionRecord) -> Result<(), StoreError> {
        forward!(self.record_session(person, session))
    }
    async fn record_session_within(
        &self,
        person: PersonId,
        session: &SessionRecord,
        day: Period,
        room: &DayRoom,
    ) -> Result<(), StoreError> {
        forward!(self.record_session_within(person, session, day, room))
    }
    async fn interrupt_open_sessions(&self, person: PersonId) -> Result<u32, StoreError> {
        forward!(self.interrupt_open_sessions(person))
    }
    async fn session(&self, person: PersonId, id: Uuid) -> Result<Option<SessionRecord>, StoreError> {
        forward!(self.session(person, id))
    }
    async fn session_summaries(
        &self,
        person: PersonId,
        period: Period,
    ) -> Result<Vec<SessionSummary>, StoreError> {
        forward!(self.session_summaries(person, period))
    }
    async fn session_pains(&self, person: PersonId, period: Period) -> Result<Vec<SessionPain>, StoreError> {
        forward!(self.session_pains(person, period))
    }
    async fn latest_session_summaries(
        &self,
        person: PersonId,
        period: Period,
        limit: u32,
    ) -> Result<Latest, StoreError> {
        forward!(self.latest_session_summaries(person, period, limit))
    }
    async fn summaries_page(
        &self,
        person: PersonId,
        period: Period,
        after: Option<SessionKey>,
        limit: u32,
    ) -> Result<Vec<SessionSummary>, StoreError> {
        forward!(self.summaries_page(person, period, after, limit))
    }
    async fn add_checkin(&self, person: PersonId, checkin: &CheckIn) -> Result<(), StoreError> {
        forward!(self.add_checkin(person, checkin))
    }
    async fn checkins(&self, person: PersonId) -> Result<Vec<CheckIn>, StoreError> {
        forward!(self.checkins(person))
    }
    async fn export(&self, person: PersonId, exported_at: DateTime<Utc>) -> Result<Journal, StoreError> {
        forward!(self.export(person, exported_at))
    }
    async fn sessions_page(
        &self,
        person: PersonId,
        after: Option<SessionKey>,
        limit: u32,
    ) -> Result<Vec<SessionRecord>, StoreError> {
        forward!(self.sessions_page(person, after, limit))
    }
    async fn export_head(&self, person: PersonId, exported_at: DateTime<Utc>) -> Result<Journal, StoreError> {
        forward!(self.export_head(person, exported_at))
    }
    async fn import(&self, person: PersonId, journal: &Journal) -> Result<ImportReport, StoreError> {
        forward!(self.import(person, journal))
    }
}

impl Accounts for AnyStore {
    async fn create_account(&self, account: &Account) -> Result<(), StoreError> {
        forward!(self.create_account(account))
    }
    async fn account_by_email(&self, email: &str) -> Result<Option<Account>, StoreError> {
        forward!(self.account_by_email(email))
    }
    async fn open_sign_in(&self, token_hash: &str, sign_in: &SignIn) -> Result<(), StoreError> {
        forward!(self.open_sign_in(token_hash, sign_in))
    }
    async fn sign_in(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<SignIn>, StoreError> {
        forward!(self.sign_in(token_hash, now))
    }
    async fn close_sign_in(&self, token_hash: &str) -> Result<(), StoreError> {
        forward!(self.close_sign_in(token_hash))
    }
    async fn set_password(
        &self,
        person: PersonId,
        password_hash: &str,
        keep: Option<&str>,
    ) -> Result<(), StoreError> {
        forward!(self.set_password(person, password_hash, keep))
    }
    async fn set_display_name(&self, person: PersonId, name: Option<&str>) -> Result<(), StoreError> {
        forward!(self.set_display_name(person, name))
    }
    async fn display_name(&self, person: PersonId) -> Result<Option<String>, StoreError> {
        forward!(self.display_name(person))
    }
    async fn close_sign_ins(&self, person: PersonId) -> Result<(), StoreError> {
        forward!(self.close_sign_ins(person))
    }
    async fn erase(&self, person: PersonId) -> Result<(), StoreError> {
        forward!(self.erase(person))
    }
}

impl Attempts for AnyStore {
    async fn count_attempt(
        &self,
        key_hash: &str,
        now: DateTime<Utc>,
        lapses_at: DateTime<Utc>,
        limit: NonZeroU32,
    ) -> Result<Attempt, StoreError> {
        forward!(self.count_attempt(key_hash, now, lapses_at, limit))
    }
    async fn forget_attempts(&self, key_hash: &str) -> Result<(), StoreError> {
        forward!(self.forget_attempts(key_hash))
    }
}

impl Sharing for AnyStore {
    async fn create_invitation(&self, code_hash: &str, invitation: &Invitation) -> Result<(), StoreError> {
        forward!(self.create_invitation(code_hash, invitation))
    }
    async fn accept_invitation(
        &self,
        code_hash: &str,
        clinician: PersonId,
        grant_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Grant, StoreError> {
        forward!(self.accept_invitation(code_hash, clinician, grant_id, now))
    }
    async fn grants_of_patient(&self, patient: PersonId) -> Result<Vec<Grant>, StoreError> {
        forward!(self.grants_of_patient(patient))
    }
    async fn grants_of_clinician(&self, clinician: PersonId) -> Result<Vec<Grant>, StoreError> {
        forward!(self.grants_of_clinician(clinician))
    }
    async fn live_grant(&self, clinician: PersonId, patient: PersonId) -> Result<Option<Grant>, StoreError> {
        forward!(self.live_grant(clinician, patient))
    }
    async fn revoke_grant(
        &self,
        patient: PersonId,
        grant: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        forward!(self.revoke_grant(patient, grant, now))
    }
    async fn audit(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        forward!(self.audit(entries))
    }
    async fn audit_log(&self, patient: PersonId, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        forward!(self.audit_log(patient, limit))
    }
    async fn assign(&self, assignment: &Assignment) -> Result<(), StoreError> {
        forward!(self.assign(assignment))
    }
    async fn clear(
        &self,
        patient: PersonId,
        clinician: PersonId,
        screening: &ScreeningRecord,
    ) -> Result<(), StoreError> {
        forward!(self.clear(patient, clinician, screening))
    }
    async fn review_clearance(
        &self,
        patient: PersonId,
        clinician: PersonId,
        screening: Uuid,
        clearance: &Clearance,
        then: Option<&ScreeningRecord>,
        action: AuditAction,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        forward!(self.review_clearance(patient, clinician, screening, clearance, then, action, at))
    }
    async fn assignment(&self, patient: PersonId) -> Result<Option<Assignment>, StoreError> {
        forward!(self.assignment(patient))
    }
    async fn add_message(&self, message: &Message) -> Result<(), StoreError> {
        forward!(self.add_message(message))
    }
    async fn read_messages(
        &self,
        patient: PersonId,
        clinician: Option<PersonId>,
        reader: PersonId,
        through: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        forward!(self.read_messages(patient, clinician, reader, through, at))
    }
    async fn messages(
        &self,
        patient: PersonId,
        clinician: Option<PersonId>,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError> {
        forward!(self.messages(patient, clinician, limit))
    }
    async fn threads(&self, patient: PersonId) -> Result<Vec<ThreadSummary>, StoreError> {
        forward!(self.threads(patient))
    }
    async fn unread_by_clinician(
        &self,
        clinician: PersonId,
        patients: &[PersonId],
    ) -> Result<Vec<(PersonId, u32)>, StoreError> {
        forward!(self.unread_by_clinician(clinician, patients))
    }
    async fn acknowledge(&self, ack: &Acknowledgement) -> Result<(), StoreError> {
        forward!(self.acknowledge(ack))
    }
    async fn acknowledged(
        &self,
        clinician: PersonId,
        patients: &[PersonId],
    ) -> Result<Vec<(PersonId, DateTime<Utc>)>, StoreError> {
        forward!(self.acknowledged(clinician, patients))
    }
}

impl Calendars for AnyStore {
    async fn open_feed(&self, token_hash: &str, feed: &CalendarFeed) -> Result<(), StoreError> {
        forward!(self.open_feed(token_hash, feed))
    }
    async fn feed(&self, token_hash: &str) -> Result<Option<CalendarFeed>, StoreError> {
        forward!(self.feed(token_hash))
    }
    async fn feed_of(&self, person: PersonId) -> Result<Option<CalendarFeed>, StoreError> {
        forward!(self.feed_of(person))
    }
    async fn revoke_feed(&self, person: PersonId, now: DateTime<Utc>) -> Result<(), StoreError> {
        forward!(self.revoke_feed(person, now))
    }
}

impl Mailing for AnyStore {
    async fn set_email_notices(&self, person: PersonId, on: bool) -> Result<(), StoreError> {
        forward!(self.set_email_notices(person, on))
    }
    async fn email_notices(&self, person: PersonId) -> Result<bool, StoreError> {
        forward!(self.email_notices(person))
    }
    async fn notice_addresses(&self, persons: &[PersonId]) -> Result<Vec<(PersonId, String)>, StoreError> {
        forward!(self.notice_addresses(persons))
    }
    async fn queue_mail(&self, mail: &Mail) -> Result<(), StoreError> {
        forward!(self.queue_mail(mail))
    }
    async fn claim_mail(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Claimed>, StoreError> {
        forward!(self.claim_mail(now, lease_until, limit))
    }
    async fn forget_mail(&self, id: Uuid) -> Result<(), StoreError> {
        forward!(self.forget_mail(id))
    }
    async fn retry_mail(&self, id: Uuid, retry_at: DateTime<Utc>) -> Result<(), StoreError> {
        forward!(self.retry_mail(id, retry_at))
    }
    async fn add_push_subscription(
        &self,
        person: PersonId,
        subscription: &PushSubscription,
        at: DateTime<Utc>,
        keep: u32,
    ) -> Result<(), StoreError> {
        forward!(self.add_push_subscription(person, subscription, at, keep))
    }
    async fn remove_push_subscription(&self, person: PersonId, endpoint: &str) -> Result<(), StoreError> {
        forward!(self.remove_push_subscription(person, endpoint))
    }
    async fn push_gone(&self, endpoint: &str) -> Result<(), StoreError> {
        forward!(self.push_gone(endpoint))
    }
    async fn push_subscriptions(
        &self,
        persons: &[PersonId],
    ) -> Result<Vec<(PersonId, PushSubscription)>, StoreError> {
        forward!(self.push_subscriptions(persons))
    }
    async fn server_key(&self, name: &str, candidate: &str) -> Result<String, StoreError> {
        forward!(self.server_key(name, candidate))
    }
    async fn flag_noticed(
        &self,
        patient: PersonId,
        flag: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        forward!(self.flag_noticed(patient, flag, at))
    }
    async fn open_token(&self, token: &AccountToken) -> Result<(), StoreError> {
        forward!(self.open_token(token))
    }
    async fn peek_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(AccountToken, String)>, StoreError> {
        forward!(self.peek_token(token_hash, now))
    }
    async fn use_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<AccountToken>, StoreError> {
        forward!(self.use_token(token_hash, now))
    }
}
