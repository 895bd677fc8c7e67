//! What a patient shares with clinicians: invitations, grants of access,
//! the audit log of who saw what, the home program a clinician assigned,
//! and messages between them. Implemented by both backends.
//!
//! The store keeps and checks state (an invitation is used once and lapses;
//! a revoked grant gives nothing); the web layer decides who may call what.
//! Every grant, revocation and assignment writes its audit entry in the
//! same transaction, so the log cannot miss one.

use crate::StoreError;
use chrono::{DateTime, Utc};
use knead_core::records::{Clearance, PersonId, ScreeningRecord};
use knead_core::vocab::TechniqueId;
use std::collections::BTreeSet;
use std::future::Future;
use uuid::Uuid;

/// An invitation a patient made for a clinician: kept under the SHA-256 of
/// its code (lowercase hex), like a sign-in token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    /// Whose data it opens.
    pub patient: PersonId,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// After this moment it cannot be accepted.
    pub expires_at: DateTime<Utc>,
}

/// A clinician's access to one patient, from acceptance until revocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Its id (the patient revokes by it).
    pub id: Uuid,
    /// Whose data.
    pub patient: PersonId,
    /// The patient's sign-in address (what the clinician sees them as).
    pub patient_email: String,
    /// The name the patient chose to be shown by, filled in when read
    /// (ignored when written).
    pub patient_name: Option<String>,
    /// Who may see it.
    pub clinician: PersonId,
    /// The clinician's sign-in address (what the patient sees them as).
    pub clinician_email: String,
    /// When the clinician accepted the invitation.
    pub granted_at: DateTime<Utc>,
    /// When the patient revoked it; `None` while it lasts.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Grant {
    /// The patient as their clinicians see them: the name they chose with
    /// their address, or the address alone.
    pub fn patient_shown(&self) -> String {
        match &self.patient_name {
            Some(name) => format!("{name} ({})", self.patient_email),
            None => self.patient_email.clone(),
        }
    }
}

/// What an audit entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AuditAction {
    /// The patient made an invitation.
    Invited,
    /// A clinician accepted an invitation: access granted.
    Granted,
    /// The patient revoked a clinician's access.
    Revoked,
    /// A clinician looked at the patient's data (`detail` says which).
    Viewed,
    /// A clinician assigned a home program.
    Assigned,
    /// A clinician left a message.
    Messaged,
    /// A clinician recorded that they assessed the patient's back pain and
    /// that self-massage is fine: it lifts see-a-doctor-first advice.
    Cleared,
    /// A clinician acknowledged the patient's red flags (up to a screening).
    Acknowledged,
    /// A clinician confirmed a clearance the patient reported.
    Confirmed,
    /// A clinician withdrew a clearance: it lifts nothing any more.
    Withdrew,
}

impl AuditAction {
    /// Every action.
    pub const ALL: [AuditAction; 10] = [
        AuditAction::Invited,
        AuditAction::Granted,
        AuditAction::Revoked,
        AuditAction::Viewed,
        AuditAction::Assigned,
        AuditAction::Messaged,
        AuditAction::Cleared,
        AuditAction::Acknowledged,
        AuditAction::Confirmed,
        AuditAction::Withdrew,
    ];

    /// The word the database and the API use.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Invited => "invited",
            AuditAction::Granted => "granted",
            AuditAction::Revoked => "revoked",
            AuditAction::Viewed => "viewed",
            AuditAction::Assigned => "assigned",
            AuditAction::Messaged => "messaged",
            AuditAction::Cleared => "cleared",
            AuditAction::Acknowledged => "acknowledged",
            AuditAction::Confirmed => "confirmed",
            AuditAction::Withdrew => "withdrew",
        }
    }

    /// Read the word back.
    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == word)
    }
}

/// One line of a patient's audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Its id (UUID v7, so ids sort by time).
    pub id: Uuid,
    /// Whose data it is about.
    pub patient: PersonId,
    /// When.
    pub at: DateTime<Utc>,
    /// Who did it (the patient or a clinician).
    pub actor: PersonId,
    /// The actor's address, filled in when read (ignored when written).
    pub actor_email: String,
    /// What was done.
    pub action: AuditAction,
    /// What it touched, in words without personal data (e.g. "sessions").
    pub detail: String,
}

/// A home program a clinician assigned, as asked; the web layer checks it
/// with `knead_core::program::HomeProgram::new` before keeping it and again
/// (against the patient's newest screening) each time it is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Its id.
    pub id: Uuid,
    /// For whom.
    pub patient: PersonId,
    /// By whom.
    pub clinician: PersonId,
    /// The clinician's address, filled in when read (ignored when written).
    pub clinician_email: String,
    /// When.
    pub assigned_at: DateTime<Utc>,
    /// The techniques.
    pub techniques: BTreeSet<TechniqueId>,
    /// Sessions a day.
    pub sessions_per_day: u32,
    /// Days a week.
    pub days_per_week: u8,
    /// How many weeks, from `assigned_at`.
    pub weeks: u16,
    /// A note for the patient.
    pub note: Option<String>,
}

/// A clinician's acknowledgement that they saw a patient's red flags: the
/// warning-sign screenings made up to `through`. A red flag raised after it
/// is news again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgement {
    /// Its id.
    pub id: Uuid,
    /// Whose red flags.
    pub patient: PersonId,
    /// Who saw them.
    pub clinician: PersonId,
    /// When.
    pub at: DateTime<Utc>,
    /// The newest red flag it covers: the time of its screening.
    pub through: DateTime<Utc>,
    /// What the clinician noted, if anything (kept with it, never in the audit log).
    pub note: Option<String>,
}

/// A message in a thread: between a patient and one of their clinicians,
/// written by one of the two for the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Its id.
    pub id: Uuid,
    /// The patient whose thread it is in.
    pub patient: PersonId,
    /// The clinician whose thread with the patient it is in.
    pub clinician: PersonId,
    /// The clinician's address, filled in when read (ignored when written;
    /// empty for an account since deleted).
    pub clinician_email: String,
    /// Who wrote it: the patient or the clinician.
    pub author: PersonId,
    /// When.
    pub at: DateTime<Utc>,
    /// The text.
    pub text: String,
    /// To be read before the patient's next session: no plan until it is.
    pub before_session: bool,
    /// When its recipient (the other one of the two) read it, filled in
    /// when read (ignored when written).
    pub read_at: Option<DateTime<Utc>>,
}

impl Message {
    /// Written by the patient (to the clinician), not by the clinician.
    pub fn by_patient(&self) -> bool {
        self.author == self.patient
    }
}

/// A patient's thread with one clinician, in short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadSummary {
    /// The clinician.
    pub clinician: PersonId,
    /// Their address (empty for an account since deleted).
    pub clinician_email: String,
    /// The clinician's messages the patient has not read.
    pub unread: u32,
    /// When the newest message was written.
    pub newest: DateTime<Utc>,
}

/// Sharing with clinicians.
pub trait Sharing: Send + Sync {
    /// Keep an invitation under the hash of its code, and log `Invited`.
    fn create_invitation(
        &self,
        code_hash: &str,
        invitation: &Invitation,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Accept the invitation behind `code_hash` as `clinician` at `now`, in
    /// one transaction: the invitation must be unused and not lapsed
    /// (otherwise [`StoreError::NotFound`] with `what = "invitation"`, and
    /// nothing changes); it is marked used, a grant with `grant_id` is made
    /// (or the clinician's live grant for that patient is returned) and
    /// `Granted` is logged. A patient cannot accept their own invitation
    /// ([`StoreError::Invalid`]).
    fn accept_invitation(
        &self,
        code_hash: &str,
        clinician: PersonId,
        grant_id: Uuid,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Grant, StoreError>> + Send;

    /// A patient's grants, live and revoked, newest first.
    fn grants_of_patient(
        &self,
        patient: PersonId,
    ) -> impl Future<Output = Result<Vec<Grant>, StoreError>> + Send;

    /// A clinician's live grants (the patients they may see), oldest first.
    fn grants_of_clinician(
        &self,
        clinician: PersonId,
    ) -> impl Future<Output = Result<Vec<Grant>, StoreError>> + Send;

    /// The live grant of `clinician` to `patient`, if there is one.
    fn live_grant(
        &self,
        clinician: PersonId,
        patient: PersonId,
    ) -> impl Future<Output = Result<Option<Grant>, StoreError>> + Send;

    /// Revoke one of the patient's grants at `now` and log `Revoked`.
    /// A grant that is not the patient's is [`StoreError::NotFound`];
    /// revoking a revoked grant changes nothing.
    fn revoke_grant(
        &self,
        patient: PersonId,
        grant: Uuid,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Append to audit logs, all entries in one transaction (a clinician's
    /// list of 500 patients is 500 views, and one commit).
    fn audit(&self, entries: &[AuditEntry]) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A patient's audit log, newest first, at most `limit`.
    fn audit_log(
        &self,
        patient: PersonId,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<AuditEntry>, StoreError>> + Send;

    /// Keep an assignment (it replaces the patient's earlier ones) and log
    /// `Assigned`.
    fn assign(&self, assignment: &Assignment) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Keep the screening a clinician's clearance made for the patient and
    /// log `Cleared` by `clinician`, in one transaction: the log never tells
    /// of a clearance that was not kept, nor hides one that was. A retry
    /// (the same screening again) changes nothing and is logged once.
    fn clear(
        &self,
        patient: PersonId,
        clinician: PersonId,
        screening: &ScreeningRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Keep a clinician's review of the clearance kept with the patient's
    /// screening `screening` (confirmed or withdrawn, as `clearance` now
    /// says) and `then`, a screening the review makes (a withdrawal's
    /// answers judged again), and log `action` by `clinician` at `at`, in
    /// one transaction. Not found when the patient has no such screening
    /// with a clearance.
    #[allow(clippy::too_many_arguments)]
    fn review_clearance(
        &self,
        patient: PersonId,
        clinician: PersonId,
        screening: Uuid,
        clearance: &Clearance,
        then: Option<&ScreeningRecord>,
        action: AuditAction,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The patient's newest assignment.
    fn assignment(
        &self,
        patient: PersonId,
    ) -> impl Future<Output = Result<Option<Assignment>, StoreError>> + Send;

    /// Keep a message and log `Messaged`. Its author must be its patient
    /// or its clinician, two people ([`StoreError::Invalid`]).
    fn add_message(&self, message: &Message) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// `reader` read, at `at`, the messages written to them up to
    /// `through` in the patient's thread with `clinician` (with `None`, in
    /// every thread of the patient): each unread one is marked read then.
    /// The reader is the patient, or that clinician
    /// ([`StoreError::Invalid`] otherwise); what they wrote stays as it is.
    fn read_messages(
        &self,
        patient: PersonId,
        clinician: Option<PersonId>,
        reader: PersonId,
        through: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The patient's messages in their thread with `clinician` (with
    /// `None`, in every thread), newest first, at most `limit`.
    fn messages(
        &self,
        patient: PersonId,
        clinician: Option<PersonId>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Message>, StoreError>> + Send;

    /// The patient's threads that hold a message, newest message first.
    fn threads(
        &self,
        patient: PersonId,
    ) -> impl Future<Output = Result<Vec<ThreadSummary>, StoreError>> + Send;

    /// How many messages each of `patients` wrote to `clinician` that the
    /// clinician has not read: the patients with any.
    fn unread_by_clinician(
        &self,
        clinician: PersonId,
        patients: &[PersonId],
    ) -> impl Future<Output = Result<Vec<(PersonId, u32)>, StoreError>> + Send;

    /// Keep an acknowledgement and log `Acknowledged` by its clinician, in
    /// one transaction. A retry (the same id) changes nothing.
    fn acknowledge(&self, ack: &Acknowledgement) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// How far `clinician` has acknowledged each of `patients`' red flags:
    /// the latest `through` of each patient with an acknowledgement.
    fn acknowledged(
        &self,
        clinician: PersonId,
        patients: &[PersonId],
    ) -> impl Future<Output = Result<Vec<(PersonId, DateTime<Utc>)>, StoreError>> + Send;
}
