//! Screenings and plans: the safety gate, as the API shows it. The rules
//! (what a screening permits, what a clearance lifts, what stops a plan
//! today) are knead-app's; these handlers read the request, call it and
//! show the answer.

use super::body::{DayQuery, JsonBody};
use crate::AppState;
use crate::auth::Patient;
use crate::problem::{ApiResult, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use knead_app::plan::Planned;
use knead_core::intake::Intake;
use knead_core::planner::{Kit, Plan};
use knead_core::records::{Clearance, Review, ScreeningRecord};
use knead_core::session::Slot;
use knead_core::vocab::{Disposition, Equipment};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use utoipa::ToSchema;
use uuid::Uuid;

/// How many recent screenings are looked through for one by id.
const RECENT: u32 = 50;

/// A screening to judge and keep.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewScreening {
    /// Made by the client, so that a retry is not a second screening.
    pub id: Uuid,
    /// The answers: intake v1 of the screening contract.
    #[schema(value_type = Intake)]
    pub intake: serde_json::Value,
    /// Who cleared the person, and when: required when
    /// `intake.clinician_cleared` is true, refused otherwise.
    #[serde(default)]
    pub clearance: Option<ClearanceJson>,
}

/// A clinician's clearance: a doctor or physiotherapist assessed this back
/// pain and said self-massage is fine. It lifts see-a-doctor-first advice
/// only: emergency and urgent advice, and technique limits, still stand.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClearanceJson {
    /// Who (1 to 120 characters, e.g. "Dr Lee, my GP").
    pub by: String,
    /// On what day: today (the caller's, see `utc_offset_minutes`) or earlier.
    pub on: NaiveDate,
}

/// A clearance as kept: who and on what day, whose word it is, and what a
/// Knead clinician made of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClearanceOut {
    /// Who cleared the person (as reported, or the clinician's address).
    pub by: String,
    /// On what day.
    pub on: NaiveDate,
    /// The Knead clinician who recorded it; absent when the person reported it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_by: Option<Uuid>,
    /// A Knead clinician confirmed the person's report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<ReviewOut>,
    /// A Knead clinician withdrew it: it lifts nothing any more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<ReviewOut>,
    /// Whether it still lifts what it lifted (not withdrawn).
    pub in_force: bool,
}

/// A clinician's word on a clearance.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct ReviewOut {
    /// The clinician's id.
    pub by: Uuid,
    /// When.
    pub at: DateTime<Utc>,
}

impl From<Review> for ReviewOut {
    fn from(r: Review) -> Self {
        Self { by: r.by.0, at: r.at }
    }
}

impl From<Clearance> for ClearanceOut {
    fn from(c: Clearance) -> Self {
        Self {
            in_force: c.in_force(),
            by: c.by,
            on: c.on,
            recorded_by: c.recorded_by.map(|p| p.0),
            confirmed: c.confirmed.map(ReviewOut::from),
            withdrawn: c.withdrawn.map(ReviewOut::from),
        }
    }
}

/// A kept screening.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScreeningOut {
    /// Its id.
    pub id: Uuid,
    /// When it was kept.
    pub at: DateTime<Utc>,
    /// The decision, most severe first: emergency, urgent, see_doctor_first,
    /// self_care_with_limits, self_care.
    pub disposition: Disposition,
    /// The answers.
    pub intake: Intake,
    /// The result in the contract's JSON shape (`cleared_by_clinician` says
    /// whether a clearance lowered it).
    #[schema(value_type = knead_core::screening::ScreeningResult)]
    pub result: serde_json::Value,
    /// The clearance kept with it, if any.
    pub clearance: Option<ClearanceOut>,
}

impl From<ScreeningRecord> for ScreeningOut {
    fn from(r: ScreeningRecord) -> Self {
        Self {
            id: r.id,
            at: r.at,
            disposition: r.disposition,
            intake: r.intake,
            result: r.result,
            clearance: r.clearance.map(ClearanceOut::from),
        }
    }
}

/// Screen the answers and keep the screening.
///
/// A clearance comes with the answers, not as a later change to a kept
/// screening: a screening is judged once, a retry with the same id is the
/// same screening, and the client that asks the questions asks this one
/// too. Answers with a clearance are kept whatever they decide: a clearance
/// never hides a warning sign, so an emergency stays an emergency.
#[utoipa::path(post, path = "/api/v1/screenings", tag = "screening", request_body = NewScreening, params(DayQuery),
    responses(
        (status = 201, description = "Judged and kept", body = ScreeningOut),
        (status = 200, description = "Kept before (a retry)", body = ScreeningOut),
        (status = 409, description = "The id is taken by other answers", body = Problem),
        (status = 422, description = "An answer is not allowed, or `intake.clinician_cleared` and `clearance` do not come together; `field` names it", body = Problem),
    ))]
pub async fn create_screening(
    State(state): State<AppState>,
    patient: Patient,
    day: DayQuery,
    JsonBody(new): JsonBody<NewScreening>,
) -> ApiResult<(StatusCode, Json<ScreeningOut>)> {
    let intake = Intake::from_json(&new.intake.to_string()).map_err(|e| {
        let field = if e.field == "intake" { e.field } else { format!("intake.{}", e.field) };
        Problem::invalid(field, e.problem)
    })?;
    let own = state.app.patient(patient.person());
    let clearance = match new.clearance {
        Some(c) => Some(own.report_clearance(&c.by, c.on, day.zone()?).await?),
        None => None,
    };
    let (fresh, record) = own.screen(new.id, intake, clearance).await?;
    let status = if fresh { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(record.into())))
}

/// The person's screenings, newest first (at most 50).
#[utoipa::path(get, path = "/api/v1/screenings", tag = "screening",
    responses((status = 200, body = Vec<ScreeningOut>), (status = 401, body = Problem)))]
pub async fn list_screenings(
    State(state): State<AppState>,
    patient: Patient,
) -> ApiResult<Json<Vec<ScreeningOut>>> {
    let kept = state.app.patient(patient.person()).screenings(RECENT).await?;
    Ok(Json(kept.into_iter().map(ScreeningOut::from).collect()))
}

/// What to plan with.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    /// The screening to plan from: the person's newest, made today.
    pub screening: Uuid,
    /// What the person has today (hands need nothing).
    #[serde(default)]
    pub equipment: BTreeSet<Equipment>,
    /// Whether someone is there to help.
    #[serde(default)]
    pub helper_available: bool,
}

/// A plan and its timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanOut {
    /// The screening it came from.
    pub screening: Uuid,
    /// The plan: techniques, steps, the reason for each choice, today's caps.
    pub plan: Plan,
    /// Segment by segment, as the guided session runs it.
    pub timeline: Vec<Slot>,
    /// What today's limits still allow, in words.
    pub still_allowed: Vec<String>,
}

/// Plan a session from the newest screening: it must allow self-care, pain
/// over time must not call for a doctor first (§4 of the screening
/// reference), and the plan keeps to the clinician's program, if any, and
/// today's limits.
#[utoipa::path(post, path = "/api/v1/plans", tag = "screening", request_body = PlanRequest, params(DayQuery),
    responses(
        (status = 200, body = PlanOut),
        (status = 404, description = "No such screening", body = Problem),
        (status = 409, description = "No plan: the screening does not allow one, it is not the newest or not today's, pain over time calls for a doctor first (`flag` names the §4 flag: worsening, severe, no_improvement), the home program is on hold, or today's limits are used up", body = Problem),
    ))]
pub async fn create_plan(
    State(state): State<AppState>,
    patient: Patient,
    day: DayQuery,
    JsonBody(req): JsonBody<PlanRequest>,
) -> ApiResult<Json<PlanOut>> {
    let own = state.app.patient(patient.person());
    Ok(Json(own.plan_today(req.screening, req.kit(), day.zone()?).await?.into()))
}

impl PlanRequest {
    /// What the person has today.
    pub fn kit(&self) -> Kit {
        Kit { equipment: self.equipment.clone(), helper_available: self.helper_available }
    }
}

impl From<Planned> for PlanOut {
    fn from(p: Planned) -> Self {
        Self { screening: p.screening, plan: p.plan, timeline: p.timeline, still_allowed: p.still_allowed }
    }
}
