//! The home program a clinician assigns, as the API shows it; the rules
//! (checked against the pack's limits and the patient's newest screening)
//! are knead-app's.

use crate::AppState;
use crate::problem::Problem;
use chrono::{DateTime, NaiveDate, Utc};
use knead_app::program::{NewProgram, ends_on};
use knead_core::records::PersonId;
use knead_core::vocab::TechniqueId;
use knead_store::sharing::Assignment;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use utoipa::ToSchema;
use uuid::Uuid;

/// A program to assign.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// The techniques: hands, foam_roller, electric_massager.
    pub techniques: BTreeSet<TechniqueId>,
    /// Sessions a day: 1 to the pack's daily limit.
    pub sessions_per_day: u32,
    /// Days a week: 1 to 7.
    pub days_per_week: u8,
    /// Weeks: 1 or more.
    pub weeks: u16,
    /// A note for the patient.
    #[serde(default)]
    pub note: Option<String>,
}

/// An assigned program, as the patient and the clinician see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramOut {
    /// Its id.
    pub id: Uuid,
    /// Who assigned it.
    pub clinician_email: String,
    /// When.
    pub assigned_at: DateTime<Utc>,
    /// Its last day (UTC).
    pub ends_on: NaiveDate,
    /// The techniques.
    pub techniques: BTreeSet<TechniqueId>,
    /// Sessions a day.
    pub sessions_per_day: u32,
    /// Days a week.
    pub days_per_week: u8,
    /// Weeks.
    pub weeks: u16,
    /// The note.
    pub note: Option<String>,
    /// Why plans cannot follow it now (the newest screening stops
    /// self-care or rules out a technique), if so.
    pub on_hold: Option<String>,
}

impl From<AssignRequest> for NewProgram {
    fn from(r: AssignRequest) -> Self {
        Self {
            techniques: r.techniques,
            sessions_per_day: r.sessions_per_day,
            days_per_week: r.days_per_week,
            weeks: r.weeks,
            note: r.note,
        }
    }
}

impl From<(Assignment, Option<String>)> for ProgramOut {
    fn from((a, on_hold): (Assignment, Option<String>)) -> Self {
        Self {
            id: a.id,
            ends_on: ends_on(&a),
            clinician_email: a.clinician_email,
            assigned_at: a.assigned_at,
            techniques: a.techniques,
            sessions_per_day: a.sessions_per_day,
            days_per_week: a.days_per_week,
            weeks: a.weeks,
            note: a.note,
            on_hold,
        }
    }
}

/// The patient's newest assignment with its state, if any.
pub async fn program_of(state: &AppState, person: PersonId) -> Result<Option<ProgramOut>, Problem> {
    Ok(state.app.patient(person).program().await?.map(ProgramOut::from))
}
