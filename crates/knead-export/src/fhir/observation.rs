//! Pain scores as FHIR R4 Observations.
//!
//! Each session gives one `Observation` for the pain score before it and,
//! when the person gave one, one for the score after it. Each is coded with
//! LOINC 72514-3 ("Pain severity - 0-10 verbal numeric rating \[Score\] -
//! Reported"), category `survey`, and an integer value 0-10. Whether it is
//! the "before" or the "after" score, and the techniques used, are stated
//! twice: in `component`s with text-only codes (no standard code exists for
//! them) and in a `note` for a person reading it.

use super::{collection, entry, id, technique_words};
use crate::csv::timestamp;
use knead_core::records::{SessionRecord, SessionStatus};
use serde_json::{Value, json};
use uuid::Uuid;

/// The LOINC code of every Observation made here.
pub const LOINC_PAIN_SEVERITY: &str = "72514-3";
/// Its LOINC display name.
pub const LOINC_PAIN_SEVERITY_DISPLAY: &str = "Pain severity - 0-10 verbal numeric rating [Score] - Reported";

/// Before or after the massage.
#[derive(Debug, Clone, Copy)]
enum When {
    Before,
    After,
}

impl When {
    fn word(self) -> &'static str {
        match self {
            When::Before => "before",
            When::After => "after",
        }
    }
}

/// The id of the Observation of a session's pain `before` or `after`.
fn observation_id(session: Uuid, when: When) -> Uuid {
    id(&format!("knead/session/{session}/pain-{}", when.word()))
}

/// The sessions' pain scores as a FHIR R4 `Bundle` (type `collection`) of
/// `Observation`s about `patient_reference` (e.g. `Patient/123`, as the
/// receiving system knows the person), in the order given: for each session
/// the score before it, then the score after it if there is one.
///
/// The "before" score is dated at the session's start, the "after" score at
/// its end (or its start, if it has no end). An empty slice gives a bundle
/// with no `entry` (FHIR JSON allows no empty arrays).
pub fn pain_observations(sessions: &[SessionRecord], patient_reference: &str) -> Value {
    collection(observations(sessions, patient_reference))
}

/// The bundle entries of [`pain_observations`].
pub(super) fn observations(sessions: &[SessionRecord], patient_reference: &str) -> Vec<Value> {
    let mut entries = Vec::with_capacity(sessions.len() * 2);
    for session in sessions {
        entries.push(observation(session, When::Before, patient_reference));
        if session.pain_after.is_some() {
            entries.push(observation(session, When::After, patient_reference));
        }
    }
    entries
}

fn observation(session: &SessionRecord, when: When, patient_reference: &str) -> Value {
    let (score, at) = match when {
        When::Before => (session.pain_before, session.started_at),
        // Only called when there is an "after" score.
        When::After => (
            session.pain_after.unwrap_or(session.pain_before),
            session.ended_at.unwrap_or(session.started_at),
        ),
    };
    let techniques: Vec<&'static str> =
        session.usage.iter().filter(|(_, seconds)| **seconds > 0).map(|(t, _)| technique_words(*t)).collect();
    let mut components = vec![json!({
        "code": { "text": "timing relative to self-massage" },
        "valueString": when.word(),
    })];
    components.extend(techniques.iter().map(|t| {
        json!({
            "code": { "text": "self-massage technique" },
            "valueString": t,
        })
    }));
    entry(
        observation_id(session.id, when),
        json!({
            "resourceType": "Observation",
            "status": "final",
            "category": [{
                "coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                    "code": "survey",
                    "display": "Survey",
                }],
            }],
            "code": {
                "coding": [{
                    "system": "http://loinc.org",
                    "code": LOINC_PAIN_SEVERITY,
                    "display": LOINC_PAIN_SEVERITY_DISPLAY,
                }],
                "text": format!("Pain severity (0-10) {} self-massage", when.word()),
            },
            "subject": { "reference": patient_reference },
            "effectiveDateTime": timestamp(at),
            "valueInteger": score.get(),
            "note": [{ "text": note(session.status, when, &techniques) }],
            "component": components,
        }),
    )
}

/// What a person reads: "Pain before self-massage (completed; techniques: foam roller, hands)."
fn note(status: SessionStatus, when: When, techniques: &[&str]) -> String {
    let how = match status {
        SessionStatus::InProgress => "in progress",
        SessionStatus::Completed => "completed",
        SessionStatus::Stopped => "stopped early",
        SessionStatus::Interrupted => "interrupted",
        SessionStatus::Logged => "logged afterwards",
    };
    let techniques = if techniques.is_empty() { "not recorded".to_owned() } else { techniques.join(", ") };
    format!("Pain {} self-massage ({how}; techniques: {techniques}).", when.word())
}
