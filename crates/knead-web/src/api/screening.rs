//! Screenings and plans: the safety gate. A plan is only ever made from
//! the person's newest screening, re-judged with this server's content
//! pack, and only when that screening permits self-care.

use super::body::{DayQuery, JsonBody, day_period, local_day};
use crate::AppState;
use crate::auth::Patient;
use crate::problem::{ApiResult, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, FixedOffset, Utc};
use knead_core::intake::Intake;
use knead_core::limits;
use knead_core::planner::{self, Kit, Plan};
use knead_core::screening::{self, Permit, ScreeningResult};
use knead_core::session::{self, Slot};
use knead_core::vocab::{Disposition, Equipment};
use knead_store::Store;
use knead_store::records::{PersonId, ScreeningRecord};
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
    #[schema(value_type = Object)]
    pub intake: serde_json::Value,
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
    #[schema(value_type = String)]
    pub disposition: Disposition,
    /// The answers.
    #[schema(value_type = Object)]
    pub intake: Intake,
    /// The result in the contract's JSON shape.
    #[schema(value_type = Object)]
    pub result: serde_json::Value,
}

impl From<ScreeningRecord> for ScreeningOut {
    fn from(r: ScreeningRecord) -> Self {
        Self { id: r.id, at: r.at, disposition: r.disposition, intake: r.intake, result: r.result }
    }
}

/// Screen the answers and keep the screening.
#[utoipa::path(post, path = "/api/v1/screenings", tag = "screening", request_body = NewScreening,
    responses(
        (status = 201, description = "Judged and kept", body = ScreeningOut),
        (status = 200, description = "Kept before (a retry)", body = ScreeningOut),
        (status = 409, description = "The id is taken by other answers", body = Problem),
        (status = 422, description = "An answer is not allowed; `field` names it", body = Problem),
    ))]
pub async fn create_screening(
    State(state): State<AppState>,
    patient: Patient,
    JsonBody(new): JsonBody<NewScreening>,
) -> ApiResult<(StatusCode, Json<ScreeningOut>)> {
    let intake = Intake::from_json(&new.intake.to_string()).map_err(|e| {
        let field = if e.field == "intake" { e.field } else { format!("intake.{}", e.field) };
        Problem::invalid(field, e.problem)
    })?;
    let person = patient.person();
    if let Some(kept) = find(&state, person, new.id).await? {
        return if kept.intake == intake {
            Ok((StatusCode::OK, Json(kept.into())))
        } else {
            Err(Problem::conflict(
                "conflict",
                "Already kept with different content",
                format!("screening {} is another screening", new.id),
            ))
        };
    }
    let result = screening::screen(&state.config.pack, &intake);
    let record = ScreeningRecord {
        id: new.id,
        at: state.config.now.now(),
        intake,
        result: serde_json::to_value(&result).map_err(|_| Problem::internal())?,
        disposition: result.disposition,
        pack_version: state.config.pack.meta.version.clone(),
        clearance: None,
    };
    state.store.add_screening(person, &record).await?;
    Ok((StatusCode::CREATED, Json(record.into())))
}

/// The person's screenings, newest first (at most 50).
#[utoipa::path(get, path = "/api/v1/screenings", tag = "screening",
    responses((status = 200, body = Vec<ScreeningOut>), (status = 401, body = Problem)))]
pub async fn list_screenings(
    State(state): State<AppState>,
    patient: Patient,
) -> ApiResult<Json<Vec<ScreeningOut>>> {
    let kept = state.store.screenings(patient.person(), RECENT).await?;
    Ok(Json(kept.into_iter().map(ScreeningOut::from).collect()))
}

async fn find(state: &AppState, person: PersonId, id: Uuid) -> Result<Option<ScreeningRecord>, Problem> {
    Ok(state.store.screening(person, id).await?)
}

/// The screening `id` of `person`, judged again with this server's pack:
/// its permit, or the refusal as a problem. Used for plans and for every
/// session kept, so neither can get past a red flag.
pub async fn permit_for(
    state: &AppState,
    person: PersonId,
    id: Uuid,
) -> Result<(ScreeningRecord, Permit), Problem> {
    let record = find(state, person, id).await?.ok_or_else(Problem::not_found)?;
    let result: ScreeningResult = screening::screen(&state.config.pack, &record.intake);
    let permit = result.permit().map_err(|refusal| {
        Problem::conflict("no-self-care", "This screening does not allow a massage session", refusal.headline)
    })?;
    Ok((record, permit))
}

/// What to plan with.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    /// The screening to plan from: the person's newest, made today.
    pub screening: Uuid,
    /// What the person has today (hands need nothing).
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
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
    #[schema(value_type = Object)]
    pub plan: Plan,
    /// Segment by segment, as the guided session runs it.
    #[schema(value_type = Vec<Object>)]
    pub timeline: Vec<Slot>,
    /// What today's limits still allow, in words.
    pub still_allowed: Vec<String>,
}

/// Plan a session from the newest screening, within today's limits and,
/// when a clinician assigned a program, within it.
#[utoipa::path(post, path = "/api/v1/plans", tag = "screening", request_body = PlanRequest, params(DayQuery),
    responses(
        (status = 200, body = PlanOut),
        (status = 404, description = "No such screening", body = Problem),
        (status = 409, description = "No plan: the screening does not allow one, it is not the newest or not today's, or today's limits are used up", body = Problem),
    ))]
pub async fn create_plan(
    State(state): State<AppState>,
    patient: Patient,
    day: DayQuery,
    JsonBody(req): JsonBody<PlanRequest>,
) -> ApiResult<Json<PlanOut>> {
    Ok(Json(plan_for(&state, patient.person(), req, day.offset()?).await?))
}

/// Plan for `person` from the screening `req.screening` (see [`create_plan`]);
/// the pages use it too.
pub async fn plan_for(
    state: &AppState,
    person: PersonId,
    req: PlanRequest,
    offset: FixedOffset,
) -> Result<PlanOut, Problem> {
    let now = state.config.now.now();
    let newest = state.store.screenings(person, 1).await?.into_iter().next().map(|s| s.id);
    let (record, permit) = permit_for(state, person, req.screening).await?;
    if newest != Some(record.id) {
        return Err(Problem::conflict(
            "stale-screening",
            "A newer screening decides",
            "plan from your newest screening",
        ));
    }
    let today = local_day(now, offset);
    if local_day(record.at, offset) != today {
        return Err(Problem::conflict(
            "stale-screening",
            "The screening is not from today",
            "answer the questions again first: things may have changed",
        ));
    }
    let sessions = state.store.session_summaries(person, day_period(today, offset)).await?;
    let usage = limits::usage(sessions.iter().map(|s| &s.usage));
    let kit = Kit { equipment: req.equipment, helper_available: req.helper_available };
    let planned = match super::program::in_force(state, person, today).await? {
        Some(assignment) => {
            let program = super::program::checked(state, &assignment, &permit).map_err(|why| {
                Problem::conflict(
                    "program-on-hold",
                    "Your home program cannot be followed now",
                    format!("{why}; ask {} to look at it again", assignment.clinician_email),
                )
            })?;
            planner::plan_program(&state.config.pack, &permit, &kit, &usage, &program)
        }
        None => planner::plan(&state.config.pack, &permit, &kit, &usage),
    };
    let plan = planned.map_err(|e| Problem::conflict("no-plan", "No session fits today", e.to_string()))?;
    Ok(PlanOut {
        screening: record.id,
        timeline: session::timeline(&plan),
        still_allowed: limits::still_allowed(&state.config.pack, &usage),
        plan,
    })
}
