//! A small journal with fixed ids and times (no clock is read), covering a
//! completed, a stopped, an interrupted and an in-progress session, and two
//! screenings: one with a limit (blood thinners), one cleared by a clinician.

use chrono::{DateTime, Utc};
use knead_core::intake::Intake;
use knead_core::pack::ContentPack;
use knead_core::records::{
    CheckIn, Clearance, Journal, ScreeningRecord, SessionRecord, SessionStatus, SessionSummary,
};
use knead_core::screening;
use knead_core::units::{ChangeRating, PainScore};
use knead_core::vocab::{Region, TechniqueId};
use std::collections::BTreeMap;
use uuid::Uuid;

pub fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().with_timezone(&Utc)
}

pub fn pain(score: i64) -> PainScore {
    PainScore::new(score).unwrap()
}

/// The note that needs quoting in CSV: a comma, a quote and a line break.
pub const AWKWARD_NOTE: &str = "Tight after desk work, \"roll slowly\" helped\nsecond line";

#[allow(clippy::too_many_arguments)]
fn session(
    id: &str,
    started: &str,
    ended: Option<&str>,
    status: SessionStatus,
    usage: &[(TechniqueId, u32)],
    before: i64,
    after: Option<i64>,
    region: Option<Region>,
    note: Option<&str>,
) -> SessionRecord {
    SessionRecord {
        id: Uuid::parse_str(id).unwrap(),
        screening_id: None,
        started_at: at(started),
        ended_at: ended.map(at),
        status,
        stop_reason: (status == SessionStatus::Stopped).then(|| "too sore".to_owned()),
        plan: None,
        steps: Vec::new(),
        usage: usage.iter().copied().collect::<BTreeMap<_, _>>(),
        pain_before: pain(before),
        pain_after: after.map(pain),
        region,
        note: note.map(str::to_owned),
        pack_version: "midback-1".to_owned(),
    }
}

pub fn sessions() -> Vec<SessionRecord> {
    vec![
        session(
            "0194a000-0000-7000-8000-000000000001",
            "2026-01-05T07:30:00Z",
            Some("2026-01-05T07:42:00Z"),
            SessionStatus::Completed,
            &[(TechniqueId::Hands, 300), (TechniqueId::FoamRoller, 420)],
            6,
            Some(4),
            Some(Region::Left),
            Some(AWKWARD_NOTE),
        ),
        session(
            "0194a000-0000-7000-8000-000000000002",
            "2026-01-06T18:00:00Z",
            Some("2026-01-06T18:03:30Z"),
            SessionStatus::Stopped,
            &[(TechniqueId::ElectricMassager, 90)],
            5,
            Some(6),
            Some(Region::BothSides),
            None,
        ),
        session(
            "0194a000-0000-7000-8000-000000000003",
            "2026-01-08T07:15:00Z",
            None,
            SessionStatus::Interrupted,
            &[(TechniqueId::Hands, 45)],
            4,
            Some(3),
            None,
            None,
        ),
        session(
            "0194a000-0000-7000-8000-000000000004",
            "2026-01-09T20:00:00Z",
            None,
            SessionStatus::InProgress,
            &[],
            5,
            None,
            Some(Region::Centre),
            Some("evening"),
        ),
    ]
}

pub fn journal() -> Journal {
    Journal {
        format: Journal::FORMAT.to_owned(),
        version: Journal::VERSION,
        exported_at: at("2026-01-10T09:00:00Z"),
        screenings: screenings(),
        sessions: sessions(),
        checkins: vec![CheckIn {
            id: Uuid::parse_str("0194a000-0000-7000-8000-0000000000c1").unwrap(),
            at: at("2026-01-10T08:55:00Z"),
            week_pain: pain(4),
            change: ChangeRating::new(2).unwrap(),
        }],
    }
}

pub fn summary(s: &SessionRecord) -> SessionSummary {
    SessionSummary {
        id: s.id,
        started_at: s.started_at,
        ended_at: s.ended_at,
        status: s.status,
        usage: s.usage.clone(),
        pain_before: s.pain_before,
        pain_after: s.pain_after,
        region: s.region,
        note: s.note.clone(),
    }
}

pub fn summaries() -> Vec<SessionSummary> {
    sessions().iter().map(summary).collect()
}

/// A screening of `intake` (JSON) by the built-in pack, kept as the journal keeps it.
pub fn screening_record(
    id: &str,
    at_time: &str,
    intake: &str,
    clearance: Option<Clearance>,
) -> ScreeningRecord {
    let pack = ContentPack::builtin().unwrap();
    let intake = Intake::from_json(intake).unwrap();
    let result = screening::screen(&pack, &intake);
    ScreeningRecord {
        id: Uuid::parse_str(id).unwrap(),
        at: at(at_time),
        intake,
        result: serde_json::to_value(&result).unwrap(),
        disposition: result.disposition,
        pack_version: pack.meta.version.clone(),
        clearance,
    }
}

pub fn screenings() -> Vec<ScreeningRecord> {
    vec![
        screening_record(
            "0194a000-0000-7000-8000-0000000000a1",
            "2026-01-05T07:20:00Z",
            r#"{"age_years": 58, "pain": {"intensity": 6, "duration_days": 20, "character": ["aching"],
                "pattern": ["worse_with_movement"]}, "history": ["anticoagulants", "smoker"],
                "equipment": ["foam_roller"]}"#,
            None,
        ),
        screening_record(
            "0194a000-0000-7000-8000-0000000000a2",
            "2026-01-08T07:05:00Z",
            r#"{"age_years": 58, "pain": {"intensity": 4, "duration_days": 23, "radiates_to": ["ribs"]},
                "history": ["anticoagulants"], "clinician_cleared": true}"#,
            Some(Clearance::reported(
                "Dr Rivera".to_owned(),
                chrono::NaiveDate::from_ymd_opt(2026, 1, 7).unwrap(),
            )),
        ),
    ]
}

/// A clinician's program within the second screening's limits: hands only,
/// twice a day, five days a week, for four weeks.
pub fn program() -> knead_core::program::HomeProgram {
    use knead_core::program::{HomeProgram, ProgramRequest, SetBy};
    let pack = ContentPack::builtin().unwrap();
    let permit = screening::screen(&pack, &screenings()[1].intake).permit().unwrap();
    let request = ProgramRequest {
        techniques: [TechniqueId::Hands].into(),
        sessions_per_day: 2,
        days_per_week: 5,
        weeks: 4,
        note: Some("Gentle pressure only; stop if you bruise.".to_owned()),
        set_by: SetBy::Clinician("Dr Rivera".to_owned()),
    };
    HomeProgram::new(&pack, &permit, request).unwrap()
}

/// The day the program starts.
pub fn program_start() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 1, 8).unwrap()
}

/// A clinician's message the patient read, and the patient's answer, which
/// the clinician read.
pub fn messages() -> Vec<knead_export::fhir::MessageEntry<'static>> {
    use knead_export::fhir::{MessageEntry, Sender};
    let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&chrono::Utc);
    vec![
        MessageEntry {
            id: uuid::Uuid::parse_str("0194a000-0000-7000-8000-0000000000c1").unwrap(),
            at: at("2026-01-09T09:00:00Z"),
            text: "Please pause the massage until we have talked.",
            clinician: "physio@example.org",
            from: Sender::Clinician,
            read_at: Some(at("2026-01-09T18:30:00Z")),
        },
        MessageEntry {
            id: uuid::Uuid::parse_str("0194a000-0000-7000-8000-0000000000c2").unwrap(),
            at: at("2026-01-09T18:31:00Z"),
            text: "Paused. Talk on Friday?",
            clinician: "physio@example.org",
            from: Sender::Patient,
            read_at: Some(at("2026-01-10T08:00:00Z")),
        },
    ]
}
