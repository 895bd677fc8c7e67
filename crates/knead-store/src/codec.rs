//! What both backends share apart from SQL: how values are written to
//! and read from columns where the two agree (vocabulary words, JSON,
//! reminder times, step outcomes), the checks a record passes before either
//! keeps it, and the rules of sharing that are decided in Rust rather than
//! written twice in SQL. A backend keeps only what its database needs
//! differently (SQLite's times and ids as text, PostgreSQL's microseconds).

use crate::StoreError;
use chrono::{DateTime, NaiveTime, Timelike, Utc};
use knead_core::records::{ImportReport, PersonId, SessionPain, SessionRecord, SessionStatus, StepDone};
use knead_core::session::Outcome;
use knead_core::units::PainScore;
use knead_core::vocab::{TechniqueId, Vocabulary};
use std::collections::BTreeSet;

// ---------------------------------------------------------------------------
// Values to and from columns.

pub(crate) fn parse_word<V: Vocabulary>(text: &str) -> Result<V, String> {
    V::parse(text).ok_or_else(|| format!("unknown value `{text}`; allowed: {}", V::allowed()))
}

pub(crate) fn parse_status(text: &str) -> Result<SessionStatus, String> {
    SessionStatus::parse(text).ok_or_else(|| format!("unknown session status `{text}`"))
}

pub(crate) fn outcome_text(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Done => "done",
        Outcome::Skipped => "skipped",
        Outcome::CutAtLimit => "cut_at_limit",
        Outcome::Stopped => "stopped",
    }
}

pub(crate) fn parse_outcome(text: &str) -> Result<Outcome, String> {
    Ok(match text {
        "done" => Outcome::Done,
        "skipped" => Outcome::Skipped,
        "cut_at_limit" => Outcome::CutAtLimit,
        "stopped" => Outcome::Stopped,
        other => return Err(format!("unknown step outcome `{other}`")),
    })
}

pub(crate) fn parse_pain(value: i64) -> Result<PainScore, String> {
    PainScore::new(value).map_err(|e| e.to_string())
}

/// A session's pain as a backend reads it (see `Store::session_pains`);
/// `id` names the session in an error.
pub(crate) fn session_pain(
    id: &str,
    started_at: DateTime<Utc>,
    status: &str,
    massage_seconds: i64,
    pain_before: i64,
    pain_after: Option<i64>,
) -> Result<SessionPain, StoreError> {
    let bad = |field: &str, problem: String| corrupt("session", id, field, problem);
    Ok(SessionPain {
        started_at,
        status: parse_status(status).map_err(|e| bad("status", e))?,
        massage_seconds: u32::try_from(massage_seconds).map_err(|_| {
            bad("usage", format!("{massage_seconds} seconds in all; allowed: 0 to {}", u32::MAX))
        })?,
        pain_before: parse_pain(pain_before).map_err(|e| bad("pain_before", e))?,
        pain_after: pain_after.map(parse_pain).transpose().map_err(|e| bad("pain_after", e))?,
    })
}

pub(crate) fn json_text<T: serde::Serialize + ?Sized>(value: &T, field: &str) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Invalid(format!("{field}: {e}")))
}

/// The latest of times kept as RFC 3339 text in JSON (compared as times:
/// their texts may differ in the digits of a second).
pub(crate) fn latest(times: Vec<String>) -> Result<Option<DateTime<Utc>>, StoreError> {
    let mut latest = None;
    for text in times {
        let at: DateTime<Utc> =
            text.parse().map_err(|e| StoreError::Corrupt(format!("clearance.withdrawn.at {text:?}: {e}")))?;
        latest = latest.max(Some(at));
    }
    Ok(latest)
}

pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// Techniques as kept: a JSON array of their words, `["foam_roller", "hands"]`.
pub(crate) fn parse_techniques(text: &str) -> Result<BTreeSet<TechniqueId>, String> {
    let words: Vec<String> = parse_json(text)?;
    words.iter().map(|w| parse_word::<TechniqueId>(w)).collect()
}

/// How a reminder time is kept: to the minute, as a person sets it.
const TIME_FORMAT: &str = "%H:%M";

/// The times as kept: `["08:00", "18:30"]`. A time with seconds is refused
/// rather than quietly cut to the minute.
pub(crate) fn times_text(times: &[NaiveTime]) -> Result<String, StoreError> {
    let mut words = Vec::with_capacity(times.len());
    for (i, t) in times.iter().enumerate() {
        if t.second() != 0 || t.nanosecond() != 0 {
            return Err(StoreError::Invalid(format!(
                "feed.times[{i}]: {t} has seconds; allowed: whole minutes (HH:MM)"
            )));
        }
        words.push(t.format(TIME_FORMAT).to_string());
    }
    json_text(&words, "feed.times")
}

pub(crate) fn parse_times(text: &str) -> Result<Vec<NaiveTime>, String> {
    let words: Vec<String> = parse_json(text)?;
    words
        .iter()
        .map(|w| NaiveTime::parse_from_str(w, TIME_FORMAT).map_err(|e| format!("`{w}` is not HH:MM: {e}")))
        .collect()
}

/// A `Corrupt` error naming the record and the field.
pub(crate) fn corrupt(what: &str, id: &str, field: &str, problem: String) -> StoreError {
    StoreError::Corrupt(format!("{what} {id}: {field}: {problem}"))
}

// ---------------------------------------------------------------------------
// Writes.

/// What a write did.
pub(crate) enum Put {
    Added,
    Unchanged,
}

pub(crate) fn check_step(step: &StepDone, field: &str) -> Result<(), StoreError> {
    if step.ended_at < step.started_at {
        return Err(StoreError::Invalid(format!(
            "{field}.ended_at: {} is before its started_at {}",
            step.ended_at, step.started_at
        )));
    }
    Ok(())
}

pub(crate) fn check_session(s: &SessionRecord) -> Result<(), StoreError> {
    match s.ended_at {
        Some(_) if s.status == SessionStatus::InProgress => {
            return Err(StoreError::Invalid(
                "session.ended_at: a session in progress has not ended; allowed: null".to_owned(),
            ));
        }
        Some(end) if end < s.started_at => {
            return Err(StoreError::Invalid(format!(
                "session.ended_at: {end} is before its started_at {}",
                s.started_at
            )));
        }
        _ => {}
    }
    for (i, step) in s.steps.iter().enumerate() {
        check_step(step, &format!("session.steps[{i}]"))?;
    }
    Ok(())
}

pub(crate) fn count(report: &mut ImportReport, put: Put) {
    match put {
        Put::Added => report.added += 1,
        Put::Unchanged => report.unchanged += 1,
    }
}

// ---------------------------------------------------------------------------
// Sharing.

/// An invitation as kept, read under the write lock by the backend.
pub(crate) struct InvitationState {
    /// Whose invitation it is.
    pub(crate) patient: PersonId,
    /// After this it cannot be accepted.
    pub(crate) expires_at: DateTime<Utc>,
    /// Whether it was accepted already.
    pub(crate) used: bool,
}

/// Whether `clinician` may accept the invitation found (if any) at `now`,
/// and whose it is: a code that is unknown, used or expired is not found,
/// alike (a guess learns nothing), and nobody accepts their own.
pub(crate) fn acceptable(
    found: Option<InvitationState>,
    clinician: PersonId,
    now: DateTime<Utc>,
) -> Result<PersonId, StoreError> {
    match found {
        Some(inv) if !inv.used && inv.expires_at > now => {
            if inv.patient == clinician {
                Err(StoreError::Invalid("clinician: a patient cannot accept their own invitation".to_owned()))
            } else {
                Ok(inv.patient)
            }
        }
        _ => Err(StoreError::NotFound { what: "invitation" }),
    }
}

/// A message is between two people, its patient and its clinician, and
/// written by one of them.
pub(crate) fn check_message(m: &crate::sharing::Message) -> Result<(), StoreError> {
    if m.clinician == m.patient {
        return Err(StoreError::Invalid(
            "message.clinician: a thread is between a patient and someone else".to_owned(),
        ));
    }
    if m.author != m.patient && m.author != m.clinician {
        return Err(StoreError::Invalid(
            "message.author: allowed: the message's patient or its clinician".to_owned(),
        ));
    }
    Ok(())
}

/// Who may mark messages read in the patient's threads with `clinician`
/// (`None`: all of them): the patient, or that one clinician.
pub(crate) fn check_reader(
    patient: PersonId,
    clinician: Option<PersonId>,
    reader: PersonId,
) -> Result<(), StoreError> {
    if reader == patient || clinician == Some(reader) {
        Ok(())
    } else {
        Err(StoreError::Invalid(
            "reader: allowed: the patient, or the clinician of the thread read".to_owned(),
        ))
    }
}

/// A count read back (`unread` of the thread or patient `id`).
pub(crate) fn unread_count(n: i64, id: &str) -> Result<u32, StoreError> {
    u32::try_from(n).map_err(|_| corrupt("thread", id, "unread", format!("{n} is out of range")))
}
