//! The home program as a FHIR R4 `CarePlan`.
//!
//! One `activity` per technique, each with its timing (`frequency` sessions
//! a day); the days a week and the weeks are in the plan's `period` and in
//! its description, for a person reading it. A program the person set for
//! themselves has them as `author`; a clinician's has the clinician's name.

use super::{entry, id, technique_words};
use chrono::NaiveDate;
use knead_core::program::{HomeProgram, SetBy};
use serde_json::{Value, json};

/// A home program and the day it starts.
#[derive(Debug, Clone, Copy)]
pub struct ProgramPeriod<'a> {
    /// The program.
    pub program: &'a HomeProgram,
    /// Its first day.
    pub start: NaiveDate,
}

/// The program as a `CarePlan` entry about `patient_reference`.
pub(super) fn care_plan(period: &ProgramPeriod<'_>, patient_reference: &str) -> Value {
    let program = period.program;
    let end = program.last_day(period.start);
    let techniques: Vec<&str> = program.techniques().iter().map(|t| technique_words(*t)).collect();
    let description = format!(
        "Self-massage of the middle back: {}; {} session(s) a day, {} day(s) a week, for {} week(s).",
        techniques.join(", "),
        program.sessions_per_day(),
        program.days_per_week(),
        program.weeks()
    );
    let author = match program.set_by() {
        SetBy::Myself => json!({ "reference": patient_reference }),
        SetBy::Clinician(name) => json!({ "display": name }),
    };
    let activities: Vec<Value> = techniques
        .iter()
        .map(|technique| {
            json!({
                "detail": {
                    "code": { "text": format!("self-massage with {technique}") },
                    "status": "scheduled",
                    "scheduledTiming": {
                        "repeat": {
                            "frequency": program.sessions_per_day(),
                            "period": 1,
                            "periodUnit": "d",
                        },
                    },
                    "description": format!(
                        "{} session(s) a day, {} day(s) a week.",
                        program.sessions_per_day(),
                        program.days_per_week()
                    ),
                },
            })
        })
        .collect();
    let mut plan = json!({
        "resourceType": "CarePlan",
        "status": "active",
        "intent": "plan",
        "title": "Home self-massage program",
        "description": description,
        "subject": { "reference": patient_reference },
        "period": {
            "start": period.start.format("%Y-%m-%d").to_string(),
            "end": end.format("%Y-%m-%d").to_string(),
        },
        "author": author,
        "activity": activities,
    });
    if let Some(note) = program.note() {
        plan["note"] = json!([{ "text": note }]);
    }
    let name = format!("knead/careplan/{patient_reference}/{}/{description}", period.start);
    entry(id(&name), plan)
}
