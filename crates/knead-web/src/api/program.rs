//! The home program a clinician assigns: checked against the pack's limits
//! and the patient's newest screening when it is set, and again each time
//! a plan follows it, because the screening may have changed since.

use crate::AppState;
use crate::problem::Problem;
use chrono::{DateTime, NaiveDate, Utc};
use knead_core::program::{HomeProgram, ProgramRequest, SetBy};
use knead_core::screening::{self, Permit};
use knead_core::vocab::TechniqueId;
use knead_store::Store;
use knead_store::records::PersonId;
use knead_store::sharing::{Assignment, Sharing};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use utoipa::ToSchema;
use uuid::Uuid;

/// A program to assign.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// The techniques: hands, foam_roller, electric_massager.
    #[schema(value_type = Vec<String>)]
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
    #[schema(value_type = Vec<String>)]
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

/// The program's last day.
pub fn ends_on(a: &Assignment) -> NaiveDate {
    knead_core::program::last_day(a.assigned_at.date_naive(), a.weeks)
}

fn request(a: &Assignment, techniques: BTreeSet<TechniqueId>) -> ProgramRequest {
    ProgramRequest {
        techniques,
        sessions_per_day: a.sessions_per_day,
        days_per_week: a.days_per_week,
        weeks: a.weeks,
        note: a.note.clone(),
        set_by: SetBy::Clinician(a.clinician_email.clone()),
    }
}

/// The newest screening of `person`, judged again with this server's pack.
pub async fn newest_permit(state: &AppState, person: PersonId) -> Result<Result<Permit, String>, Problem> {
    let Some(newest) = state.store.screenings(person, 1).await?.into_iter().next() else {
        return Ok(Err("no screening yet".to_owned()));
    };
    Ok(screening::screen(&state.config.pack, &newest.intake).permit().map_err(|r| r.headline))
}

/// The assignment as a checked program under `permit`: the techniques the
/// screening now rules out are left out; none left is an error in words.
pub fn checked(state: &AppState, a: &Assignment, permit: &Permit) -> Result<HomeProgram, String> {
    let allowed: BTreeSet<TechniqueId> = a.techniques.iter().copied().filter(|t| permit.allows(*t)).collect();
    if allowed.is_empty() {
        return Err("the newest screening rules out every technique in it".to_owned());
    }
    HomeProgram::new(&state.config.pack, permit, request(a, allowed)).map_err(|e| e.to_string())
}

/// The patient's program in force on `today` (not yet ended), if any.
pub async fn in_force(
    state: &AppState,
    person: PersonId,
    today: NaiveDate,
) -> Result<Option<Assignment>, Problem> {
    Ok(state.store.assignment(person).await?.filter(|a| ends_on(a) >= today))
}

/// A clinician's program in force, as it stands against the newest screening.
pub struct Followed {
    /// The program, or why it is on hold.
    pub program: Result<HomeProgram, String>,
    /// Its first day.
    pub start: NaiveDate,
}

/// The clinician's program `person` follows on `today`, if one is in force.
pub async fn followed(
    state: &AppState,
    person: PersonId,
    today: NaiveDate,
) -> Result<Option<Followed>, Problem> {
    let Some(assignment) = in_force(state, person, today).await? else { return Ok(None) };
    let program = match newest_permit(state, person).await? {
        Ok(permit) => checked(state, &assignment, &permit),
        Err(headline) => Err(headline),
    };
    Ok(Some(Followed { program, start: assignment.assigned_at.date_naive() }))
}

/// The patient's newest assignment with its state, if any.
pub async fn program_of(state: &AppState, person: PersonId) -> Result<Option<ProgramOut>, Problem> {
    let Some(a) = state.store.assignment(person).await? else { return Ok(None) };
    let on_hold = match newest_permit(state, person).await? {
        Ok(permit) => checked(state, &a, &permit).err(),
        Err(headline) => Some(headline),
    };
    Ok(Some(ProgramOut {
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
    }))
}

/// Check `req` for `patient` and keep it. It must fit the pack's limits
/// and the patient's newest screening: a program cannot be assigned to
/// someone whose screening stops self-care, nor with a technique it rules
/// out; the refusal names the field and the limit.
pub async fn assign(
    state: &AppState,
    clinician: PersonId,
    clinician_email: &str,
    patient: PersonId,
    req: AssignRequest,
) -> Result<Assignment, Problem> {
    let permit = newest_permit(state, patient).await?.map_err(|headline| {
        Problem::conflict(
            "no-self-care",
            "The patient's screening does not allow self-massage",
            format!("{headline}; a program can be assigned once a new screening allows it"),
        )
    })?;
    let assignment = Assignment {
        id: Uuid::now_v7(),
        patient,
        clinician,
        clinician_email: clinician_email.to_owned(),
        assigned_at: state.config.now.now(),
        techniques: req.techniques,
        sessions_per_day: req.sessions_per_day,
        days_per_week: req.days_per_week,
        weeks: req.weeks,
        note: req.note,
    };
    let program =
        HomeProgram::new(&state.config.pack, &permit, request(&assignment, assignment.techniques.clone()))
            .map_err(|e| {
                // The message starts with the field's name, which the problem adds itself.
                let message = e.to_string();
                let said = message.strip_prefix(&format!("{}: ", e.field())).unwrap_or(&message).to_owned();
                Problem::invalid(e.field(), said)
            })?;
    let kept = Assignment { note: program.note().map(str::to_owned), ..assignment };
    state.store.assign(&kept).await?;
    Ok(kept)
}
