//! What the journal keeps. These types are the store's contract: every
//! backend reads and writes exactly these, the exports read them, and the
//! JSON export is their serde form, so an export imports back without loss.
//! They live with the core, not the store, so that what reads a record (an
//! export, a report) needs no database driver.

use crate::intake::Intake;
use crate::session::Outcome;
use crate::units::{ChangeRating, PainScore};
use crate::vocab::{Disposition, Region, TechniqueId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Whose journal. The terminal has one local person; the web app has many.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct PersonId(pub Uuid);

/// One screening: the answers, the result, and the pack that decided it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScreeningRecord {
    /// Made where the screening happened (UUID v7), so a retry is not a second screening.
    pub id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// The answers.
    pub intake: Intake,
    /// The result as the contract's JSON (kept verbatim, as shown).
    pub result: serde_json::Value,
    /// The result's disposition, for queries.
    pub disposition: Disposition,
    /// The content pack's version.
    pub pack_version: String,
    /// A clinician's clearance the person recorded with this screening.
    pub clearance: Option<Clearance>,
}

impl ScreeningRecord {
    /// The day of this screening's clearance while it is in force: from
    /// then the count of pain over time (§4) starts again. Every reader of
    /// a journal (the store's query, the clinic's list, the report) counts
    /// clearances by this rule.
    pub fn cleared_on(&self) -> Option<NaiveDate> {
        self.clearance.as_ref().filter(|c| c.in_force()).map(|c| c.on)
    }
}

/// "A clinician has cleared me": who and on what day, and whose word it is.
/// The person may report one themselves ("Dr Lee", typed), or their Knead
/// clinician may record one; a Knead clinician may confirm the first kind
/// or withdraw either. A withdrawn clearance lifts nothing any more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Clearance {
    /// Who cleared them (as the person enters it, or the clinician's address).
    pub by: String,
    /// On what day.
    pub on: NaiveDate,
    /// The Knead clinician who recorded it; none when the person reported
    /// it themselves (and for clearances kept before this was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_by: Option<PersonId>,
    /// A Knead clinician confirmed the person's own report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<Review>,
    /// A Knead clinician withdrew it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<Review>,
}

impl Clearance {
    /// A clearance the person reports themselves.
    pub fn reported(by: String, on: NaiveDate) -> Clearance {
        Clearance { by, on, recorded_by: None, confirmed: None, withdrawn: None }
    }

    /// A clearance a Knead clinician records for the person.
    pub fn recorded(clinician: PersonId, by: String, on: NaiveDate) -> Clearance {
        Clearance { recorded_by: Some(clinician), ..Clearance::reported(by, on) }
    }

    /// Whether it still lifts what it lifted: it has not been withdrawn.
    pub fn in_force(&self) -> bool {
        self.withdrawn.is_none()
    }
}

/// A Knead clinician's word on a clearance: who and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// The clinician.
    pub by: PersonId,
    /// When.
    pub at: DateTime<Utc>,
}

/// How a session ended, or that it has not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// Being guided now.
    InProgress,
    /// Guided to the end.
    Completed,
    /// Stopped early by the person.
    Stopped,
    /// The program ended without closing it (killed, crashed, power lost).
    Interrupted,
    /// Recorded afterwards, without the guide (`knead log`).
    Logged,
}

impl SessionStatus {
    /// Every status.
    pub const ALL: [SessionStatus; 5] = [
        SessionStatus::InProgress,
        SessionStatus::Completed,
        SessionStatus::Stopped,
        SessionStatus::Interrupted,
        SessionStatus::Logged,
    ];

    /// The status as the journal, the exports and the JSON spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatus::InProgress => "in_progress",
            SessionStatus::Completed => "completed",
            SessionStatus::Stopped => "stopped",
            SessionStatus::Interrupted => "interrupted",
            SessionStatus::Logged => "logged",
        }
    }

    /// The status in words, as history shows it in every interface.
    pub fn words(self) -> &'static str {
        match self {
            SessionStatus::InProgress => "in progress",
            SessionStatus::Completed => "finished",
            SessionStatus::Stopped => "stopped early",
            SessionStatus::Interrupted => "interrupted",
            SessionStatus::Logged => "logged afterwards",
        }
    }

    /// The status for a spelling.
    pub fn parse(text: &str) -> Option<SessionStatus> {
        SessionStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether a session that ended so, with `massage_seconds` of massage,
    /// counts as one: its pain after is taken for the massage's effect
    /// (the change shown, the "after" of charts and reports). A guided
    /// session is completed only with at least the plan's minimum of
    /// massage (see [`crate::session::EndReason::TooShort`]); one stopped or
    /// interrupted counts when it had `min_seconds` (the pack's
    /// `session.counted_min_seconds`). Pain readings of every session still
    /// count for the warning signs of §4, whatever this says.
    pub fn counts(self, massage_seconds: u32, min_seconds: u32) -> bool {
        match self {
            SessionStatus::Completed | SessionStatus::Logged => true,
            SessionStatus::Stopped | SessionStatus::Interrupted => massage_seconds >= min_seconds,
            SessionStatus::InProgress => false,
        }
    }
}

/// One massage session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SessionRecord {
    /// Made where the session happened (UUID v7): writes are idempotent by id.
    pub id: Uuid,
    /// The screening it followed, if any.
    pub screening_id: Option<Uuid>,
    /// When it began.
    pub started_at: DateTime<Utc>,
    /// When it ended; `None` while in progress.
    pub ended_at: Option<DateTime<Utc>>,
    /// How it ended.
    pub status: SessionStatus,
    /// Why it was stopped early, in the person's or the program's words.
    pub stop_reason: Option<String>,
    /// The plan it followed (the planner's JSON); `None` for a logged session.
    pub plan: Option<serde_json::Value>,
    /// What was actually done, step by step.
    pub steps: Vec<StepDone>,
    /// Active seconds per technique (from the steps, or as logged).
    pub usage: BTreeMap<TechniqueId, u32>,
    /// Pain before, 0-10.
    pub pain_before: PainScore,
    /// Pain after, 0-10; `None` if never given.
    pub pain_after: Option<PainScore>,
    /// Where the pain is.
    pub region: Option<Region>,
    /// The person's note.
    pub note: Option<String>,
    /// The content pack's version.
    pub pack_version: String,
}

/// One step as it was done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StepDone {
    /// The technique.
    pub technique: TechniqueId,
    /// The step's id in the pack.
    pub step_id: String,
    /// When it began.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub ended_at: DateTime<Utc>,
    /// Active seconds (pauses and rests excluded).
    pub active_seconds: u32,
    /// How it ended.
    pub outcome: Outcome,
}

/// The end of a guided session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionEnd {
    /// When.
    pub ended_at: DateTime<Utc>,
    /// `Completed` or `Stopped` (or `Interrupted`).
    pub status: SessionStatus,
    /// Why it stopped early.
    pub stop_reason: Option<String>,
    /// Pain after.
    pub pain_after: Option<PainScore>,
    /// A note.
    pub note: Option<String>,
}

/// A session without its plan and steps: what history and progress read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionSummary {
    /// The session's id.
    pub id: Uuid,
    /// When it began.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub ended_at: Option<DateTime<Utc>>,
    /// How it ended.
    pub status: SessionStatus,
    /// Active seconds per technique.
    pub usage: BTreeMap<TechniqueId, u32>,
    /// Pain before.
    pub pain_before: PainScore,
    /// Pain after.
    pub pain_after: Option<PainScore>,
    /// Where the pain is.
    pub region: Option<Region>,
    /// The person's note.
    pub note: Option<String>,
}

impl SessionSummary {
    /// The pain after, when the session counts as one (see
    /// [`SessionStatus::counts`], with the pack's minimum in seconds).
    pub fn effect_after(&self, min_seconds: u32) -> Option<PainScore> {
        effect_after(self.status, self.usage.values().sum(), self.pain_after, min_seconds)
    }
}

impl SessionRecord {
    /// See [`SessionSummary::effect_after`].
    pub fn effect_after(&self, min_seconds: u32) -> Option<PainScore> {
        effect_after(self.status, self.usage.values().sum(), self.pain_after, min_seconds)
    }
}

/// What pain over time reads of a session (§4's judgement, the progress
/// views and their chart): when it began, its pain readings, and what
/// decides whether its pain after counts. A few bytes a session, where a
/// [`SessionSummary`] holds its usage by technique, its region and its
/// note: a judgement of a long journal holds these, not the summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPain {
    /// When it began.
    pub started_at: DateTime<Utc>,
    /// How it ended.
    pub status: SessionStatus,
    /// Active seconds of massage, all techniques together.
    pub massage_seconds: u32,
    /// Pain before.
    pub pain_before: PainScore,
    /// Pain after.
    pub pain_after: Option<PainScore>,
}

impl SessionPain {
    /// See [`SessionSummary::effect_after`].
    pub fn effect_after(&self, min_seconds: u32) -> Option<PainScore> {
        effect_after(self.status, self.massage_seconds, self.pain_after, min_seconds)
    }
}

impl From<&SessionSummary> for SessionPain {
    fn from(s: &SessionSummary) -> Self {
        SessionPain {
            started_at: s.started_at,
            status: s.status,
            massage_seconds: s.usage.values().sum(),
            pain_before: s.pain_before,
            pain_after: s.pain_after,
        }
    }
}

impl From<&SessionRecord> for SessionPain {
    fn from(s: &SessionRecord) -> Self {
        SessionPain {
            started_at: s.started_at,
            status: s.status,
            massage_seconds: s.usage.values().sum(),
            pain_before: s.pain_before,
            pain_after: s.pain_after,
        }
    }
}

fn effect_after(
    status: SessionStatus,
    massage_seconds: u32,
    after: Option<PainScore>,
    min_seconds: u32,
) -> Option<PainScore> {
    after.filter(|_| status.counts(massage_seconds, min_seconds))
}

/// A weekly check-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CheckIn {
    /// Made on the device (UUID v7).
    pub id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// Pain over the last week, 0-10.
    pub week_pain: PainScore,
    /// How things have changed since starting, -3 to +3.
    pub change: ChangeRating,
}

/// A whole journal: the JSON export, and what `import` takes back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Journal {
    /// Always `knead-journal`.
    pub format: String,
    /// Format version; this is version 1.
    pub version: u32,
    /// When it was exported.
    pub exported_at: DateTime<Utc>,
    /// Screenings, oldest first.
    pub screenings: Vec<ScreeningRecord>,
    /// Sessions, oldest first.
    pub sessions: Vec<SessionRecord>,
    /// Check-ins, oldest first.
    pub checkins: Vec<CheckIn>,
}

impl Journal {
    /// The `format` field of every journal.
    pub const FORMAT: &'static str = "knead-journal";
    /// The version this build writes and reads.
    pub const VERSION: u32 = 1;

    /// Whether this build can take the journal back: the right `format`
    /// and a `version` it knows. The error names the field.
    pub fn check_header(&self) -> Result<(), String> {
        if self.format != Self::FORMAT {
            return Err(format!(
                "format: `{}` is not a Knead journal; allowed: `{}`",
                self.format,
                Self::FORMAT
            ));
        }
        if !(1..=Self::VERSION).contains(&self.version) {
            return Err(format!(
                "version: journal version {} is not known to this Knead; allowed: 1 to {} (update Knead to read newer journals)",
                self.version,
                Self::VERSION
            ));
        }
        Ok(())
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// New records added.
    pub added: u32,
    /// Records already present and identical (idempotent re-import).
    pub unchanged: u32,
}
