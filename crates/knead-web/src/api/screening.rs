//! Screenings and plans: the safety gate. A plan is only ever made from
//! the person's newest screening, re-judged with this server's content
//! pack, and only when that screening permits self-care.
//!
//! A clinician's clearance ("a doctor or physiotherapist has assessed this
//! back pain and said self-massage is fine") is part of a screening: its
//! answers say `clinician_cleared: true` and the screening keeps who cleared
//! the person and on what day. The one never comes without the other, so
//! no screening is lowered by a clearance nobody can name. Whether it comes
//! with the answers (the API), from a person's own report on a result page,
//! or from their Knead clinician, [`keep`] and [`cleared`] judge it.

use super::body::{DayQuery, JsonBody, day_period, local_day};
use crate::AppState;
use crate::auth::Patient;
use crate::problem::{ApiResult, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use knead_core::intake::Intake;
use knead_core::limits;
use knead_core::planner::{self, Kit, Plan};
use knead_core::screening::{self, Permit, ScreeningResult};
use knead_core::session::{self, Slot};
use knead_core::vocab::{Disposition, Equipment};
use knead_store::Store;
use knead_store::records::{Clearance, PersonId, ScreeningRecord};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::Arc;
use utoipa::ToSchema;
use uuid::Uuid;

/// How many recent screenings are looked through for one by id.
const RECENT: u32 = 50;

/// The longest name of whoever cleared a person.
pub const CLEARED_BY_MAX_CHARS: usize = 120;

/// A screening to judge and keep.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewScreening {
    /// Made by the client, so that a retry is not a second screening.
    pub id: Uuid,
    /// The answers: intake v1 of the screening contract.
    #[schema(value_type = Object)]
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

impl From<Clearance> for ClearanceJson {
    fn from(c: Clearance) -> Self {
        Self { by: c.by, on: c.on }
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
    #[schema(value_type = String)]
    pub disposition: Disposition,
    /// The answers.
    #[schema(value_type = Object)]
    pub intake: Intake,
    /// The result in the contract's JSON shape (`cleared_by_clinician` says
    /// whether a clearance lowered it).
    #[schema(value_type = Object)]
    pub result: serde_json::Value,
    /// The clearance kept with it, if any.
    pub clearance: Option<ClearanceJson>,
}

impl From<ScreeningRecord> for ScreeningOut {
    fn from(r: ScreeningRecord) -> Self {
        Self {
            id: r.id,
            at: r.at,
            disposition: r.disposition,
            intake: r.intake,
            result: r.result,
            clearance: r.clearance.map(ClearanceJson::from),
        }
    }
}

/// A clearance as a person reports it, checked: `by` trimmed and 1 to 120
/// characters, `on` not after `today`. Errors name `clearance.by` or
/// `clearance.on`.
pub fn reported_clearance(by: &str, on: NaiveDate, today: NaiveDate) -> Result<Clearance, Problem> {
    let by = by.trim();
    let n = by.chars().count();
    if n == 0 || n > CLEARED_BY_MAX_CHARS {
        return Err(Problem::invalid(
            "clearance.by",
            format!("say who cleared you, in 1 to {CLEARED_BY_MAX_CHARS} characters; this has {n}"),
        ));
    }
    if on > today {
        return Err(Problem::invalid(
            "clearance.on",
            format!("{on} has not come yet: give the day you were cleared, {today} or earlier"),
        ));
    }
    Ok(Clearance { by: by.to_owned(), on })
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
    let today = local_day(state.config.now.now(), day.offset()?);
    let clearance = new.clearance.map(|c| reported_clearance(&c.by, c.on, today)).transpose()?;
    let (fresh, record) = keep(&state, patient.person(), new.id, intake, clearance).await?;
    let status = if fresh { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(record.into())))
}

/// `intake` judged now with this server's pack, as a screening `id` ready
/// to keep. A clearance and `clinician_cleared` come together or not at
/// all; the refusal names `clearance`.
fn judged(
    state: &AppState,
    id: Uuid,
    intake: Intake,
    clearance: Option<Clearance>,
) -> Result<ScreeningRecord, Problem> {
    match (intake.clinician_cleared, &clearance) {
        (true, None) => {
            return Err(Problem::invalid(
                "clearance",
                "required when intake.clinician_cleared is true: who cleared the person (by) and on what day (on)",
            ));
        }
        (false, Some(_)) => {
            return Err(Problem::invalid("clearance", "allowed only when intake.clinician_cleared is true"));
        }
        _ => {}
    }
    let result = screening::screen(&state.config.pack, &intake);
    Ok(ScreeningRecord {
        id,
        at: state.config.now.now(),
        result: serde_json::to_value(&result).map_err(|_| Problem::internal())?,
        intake,
        disposition: result.disposition,
        pack_version: state.config.pack.meta.version.clone(),
        clearance,
    })
}

/// Judge `intake` (with its clearance, if any) and keep it as `person`'s
/// screening `id` (the API and the questionnaire page use it). `true` when
/// it is new; `false` for a retry of a screening kept before with the
/// same answers and clearance. The id kept with others is a conflict.
pub async fn keep(
    state: &AppState,
    person: PersonId,
    id: Uuid,
    intake: Intake,
    clearance: Option<Clearance>,
) -> Result<(bool, ScreeningRecord), Problem> {
    let record = judged(state, id, intake, clearance)?;
    if let Some(kept) = find(state, person, id).await? {
        return if kept.intake == record.intake && kept.clearance == record.clearance {
            Ok((false, kept))
        } else {
            Err(Problem::conflict(
                "conflict",
                "Already kept with different content",
                format!("screening {id} is another screening"),
            ))
        };
    }
    state.store.add_screening(person, &record).await?;
    Ok((true, record))
}

/// The answers with a clinician's clearance, when a clearance is what
/// stands between them and self-care: they do not permit a session, and
/// the same answers cleared would. `None` when they permit one already, or
/// when an emergency or urgent rule decides whatever a clinician said.
/// (The terminal's `knead start` asks about a clearance on the same test.)
fn liftable(state: &AppState, intake: &Intake) -> Option<Intake> {
    let pack = &state.config.pack;
    if screening::screen(pack, intake).permit().is_ok() {
        return None;
    }
    let cleared = Intake { clinician_cleared: true, ..intake.clone() };
    screening::screen(pack, &cleared).permit().is_ok().then_some(cleared)
}

/// What a clearance would do for a screening.
#[derive(Debug)]
pub enum Lift {
    /// Lower it to self-care: these are its answers, cleared.
    Now(Intake),
    /// Lower it, but the answers are not from today: they are asked again first.
    NotToday,
    /// Nothing: it allows self-care already, or warning signs decide
    /// whatever a clinician said before.
    No,
}

/// What a clearance would do now for the screening of `intake` made `at`,
/// on the day `offset` gives.
pub fn lift(state: &AppState, intake: &Intake, at: DateTime<Utc>, offset: FixedOffset) -> Lift {
    match liftable(state, intake) {
        None => Lift::No,
        Some(_) if !from_today(state, at, offset) => Lift::NotToday,
        Some(cleared) => Lift::Now(cleared),
    }
}

/// Whether `at` falls on today, on the day `offset` gives.
fn from_today(state: &AppState, at: DateTime<Utc>, offset: FixedOffset) -> bool {
    local_day(at, offset) == local_day(state.config.now.now(), offset)
}

/// A plan or a clearance goes from today's answers, never from older ones.
fn not_today() -> Problem {
    Problem::conflict(
        "stale-screening",
        "The screening is not from today",
        "answer the questions again first: things may have changed",
    )
}

/// Refuse a screening that is not `person`'s newest: a newer one decides.
async fn newest_only(state: &AppState, person: PersonId, id: Uuid) -> Result<(), Problem> {
    let newest = state.store.screenings(person, 1).await?.into_iter().next().map(|s| s.id);
    if newest == Some(id) {
        Ok(())
    } else {
        Err(Problem::conflict(
            "stale-screening",
            "A newer screening decides",
            "only the newest screening counts: use that one",
        ))
    }
}

/// Answers a clearance may lower: only [`clearable`] makes one, so no
/// screening is cleared without its checks.
#[derive(Debug)]
pub struct Clearable(Intake);

/// Whether `person`'s screening `record` may be cleared now (the result
/// page, the person's report and the clinician's clearance use it): only
/// their newest screening, from today (on the day `offset` gives), and only
/// when a clearance lowers it to self-care. Clearing an older one would
/// step around a newer warning sign or old answers. Refusals are 409s.
pub async fn clearable(
    state: &AppState,
    person: PersonId,
    record: &ScreeningRecord,
    offset: FixedOffset,
) -> Result<Clearable, Problem> {
    let answers = match lift(state, &record.intake, record.at, offset) {
        Lift::Now(cleared) => cleared,
        Lift::NotToday => return Err(not_today()),
        Lift::No => {
            return Err(Problem::conflict(
                "nothing-to-clear",
                "A clearance does not change this screening",
                "a clearance lifts only the advice to see a doctor first: this screening allows self-care \
                 already, or it found signs that need care now whatever a clinician said before",
            ));
        }
    };
    newest_only(state, person, record.id).await?;
    Ok(Clearable(answers))
}

/// The new screening a clearance makes, judged and ready to keep: the
/// answers with `clinician_cleared`, judged again with this server's pack,
/// with `clearance`.
pub fn cleared(
    state: &AppState,
    answers: Clearable,
    clearance: Clearance,
) -> Result<ScreeningRecord, Problem> {
    judged(state, Uuid::now_v7(), answers.0, Some(clearance))
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

/// The person's screening `id`, from what this server has read before
/// when it can (see [`crate::Screenings`]).
async fn find(state: &AppState, person: PersonId, id: Uuid) -> Result<Option<ScreeningRecord>, Problem> {
    if let Some(kept) = state.screenings.get(&(person, id), 0) {
        return Ok(Some(ScreeningRecord::clone(&kept)));
    }
    let found = state.store.screening(person, id).await?;
    if let Some(record) = &found {
        state.screenings.put((person, id), 0, 1, Arc::new(record.clone()));
    }
    Ok(found)
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
    let (record, permit) = permit_for(state, person, req.screening).await?;
    newest_only(state, person, record.id).await?;
    if !from_today(state, record.at, offset) {
        return Err(not_today());
    }
    let today = local_day(state.config.now.now(), offset);
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
