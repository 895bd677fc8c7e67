//! The clinician's side: accepting an invitation, the list of patients in
//! order of who needs attention, one patient's record, assigning a program,
//! leaving a message and clearing the patient for self-massage. A patient's
//! data is reached only through a [`Treating`], made from a live grant, and
//! every look is written to the patient's audit log.

use super::body::{DayQuery, JsonBody};
use super::journal::{self, ProgressOut};
use super::program::{self, AssignRequest, ProgramOut};
use super::screening::ScreeningOut;
use super::sharing::MessageOut;
use crate::AppState;
use crate::auth::{Clinician, Treating};
use crate::problem::{ApiResult, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Days, FixedOffset, NaiveDate, Utc};
use knead_app::Zone;
use knead_app::program::Followed;
use knead_core::attention::{self, ADHERENCE_WINDOW_DAYS, Adherence, Concern};
use knead_core::records::{CheckIn, PersonId, SessionSummary};
use knead_core::screening;
use knead_core::vocab::Disposition;
use knead_store::Store;
use knead_store::sharing::{Grant, Sharing};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::sync::Arc;
use utoipa::ToSchema;
use uuid::Uuid;

/// Screenings and messages shown on a patient's record at most.
const RECORD_SHOWN: u32 = 50;

/// An invitation code to accept.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Accept {
    /// The code the patient gave (case, spaces and dashes do not matter).
    pub code: String,
}

/// A patient the clinician may see.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PatientOut {
    /// The patient's id (for the other clinician endpoints).
    pub patient: Uuid,
    /// Their address.
    pub email: String,
    /// Since when.
    pub granted_at: DateTime<Utc>,
}

impl From<&Grant> for PatientOut {
    fn from(g: &Grant) -> Self {
        Self { patient: g.patient.0, email: g.patient_email.clone(), granted_at: g.granted_at }
    }
}

/// Accept a patient's invitation: access from now until they revoke it.
#[utoipa::path(post, path = "/api/v1/invitations/accept", tag = "clinic", request_body = Accept,
    responses(
        (status = 201, body = PatientOut),
        (status = 403, description = "Not a clinician's account", body = Problem),
        (status = 422, description = "No open invitation has this code", body = Problem),
        (status = 429, description = "Too many attempts", body = Problem),
    ))]
pub async fn accept_invitation(
    State(state): State<AppState>,
    clinician: Clinician,
    JsonBody(req): JsonBody<Accept>,
) -> ApiResult<(StatusCode, Json<PatientOut>)> {
    let grant = state.app.accept(clinician.person(), &req.code).await?;
    Ok((StatusCode::CREATED, Json(PatientOut::from(&grant))))
}

/// One patient on the clinician's list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PatientRow {
    /// Who.
    #[serde(flatten)]
    pub patient: PatientOut,
    /// What needs attention, most serious first (empty when nothing does).
    pub concerns: Vec<String>,
    /// The most serious concern's kind: red_flag, pain or missed.
    pub worst: Option<String>,
    /// The newest screening's disposition.
    #[schema(value_type = Option<String>)]
    pub screening: Option<Disposition>,
    /// Typical pain now, in tenths (the mean pain-before of the last week with readings).
    pub current_tenths: Option<u32>,
    /// Pain at the start.
    pub baseline: Option<u8>,
    /// Sessions done against assigned in the last 7 days, when a program is assigned.
    #[schema(value_type = Option<Object>)]
    pub week: Option<Adherence>,
    /// Sessions done against assigned from the program's first day through today.
    #[schema(value_type = Option<Object>)]
    pub since_assigned: Option<Adherence>,
    /// The newest session.
    pub last_session: Option<DateTime<Utc>>,
}

fn kind(c: &Concern) -> &'static str {
    match c {
        Concern::RedFlag { .. } => "red_flag",
        Concern::Pain { .. } => "pain",
        Concern::Missed { .. } => "missed",
    }
}

/// Sessions per local day.
fn per_day(sessions: &[SessionSummary], zone: Zone) -> BTreeMap<NaiveDate, u32> {
    let mut days = BTreeMap::new();
    for s in sessions {
        *days.entry(zone.day(s.started_at)).or_default() += 1;
    }
    days
}

/// What the list shows of a patient, and why: the row (its `patient` is
/// filled in from the grant each time) and the concerns it sorts by.
#[derive(Debug, Clone)]
pub struct Listed {
    row: PatientRow,
    concerns: Vec<Concern>,
}

/// Where one patient stands, from their journal.
struct Standing {
    listed: Listed,
    progress: ProgressOut,
    sessions: Vec<SessionSummary>,
}

async fn standing(state: &AppState, grant: &Grant, zone: Zone) -> Result<Standing, Problem> {
    let own = state.app.patient(grant.patient);
    let judged = own.judge(zone).await?;
    let newest = own.newest_screening().await?;
    let headline = newest.as_ref().map(|s| screening::screen(&state.config.pack, &s.intake).headline);
    let today = judged.today;
    // Adherence over the week before today (what the list judges), and
    // from the assignment through today (what the record shows).
    let (week, since_assigned) = match own.followed(today).await? {
        Some(Followed { program: Ok(p), start }) => {
            let days = per_day(&judged.sessions, zone);
            let done = |d: NaiveDate| days.get(&d).copied().unwrap_or(0);
            let week_from = today - Days::new(u64::from(ADHERENCE_WINDOW_DAYS));
            (
                Some(attention::adherence(&p, start, week_from, today - Days::new(1), done)),
                Some(attention::adherence(&p, start, start, today, done)),
            )
        }
        _ => (None, None),
    };
    let concerns = attention::concerns(
        newest.as_ref().map(|s| s.disposition).zip(headline.as_deref()),
        &judged.assessment.flags,
        week,
    );
    let row = PatientRow {
        patient: PatientOut::from(grant),
        concerns: concerns.iter().map(Concern::message).collect(),
        worst: concerns.first().map(|c| kind(c).to_owned()),
        screening: newest.map(|s| s.disposition),
        current_tenths: judged.assessment.current_tenths,
        baseline: judged.assessment.baseline,
        week,
        since_assigned,
        last_session: judged.sessions.last().map(|s| s.started_at),
    };
    let progress = journal::progress_of(&judged);
    Ok(Standing { listed: Listed { row, concerns }, progress, sessions: judged.sessions })
}

/// The clinician's patients, most in need of attention first (the pages
/// use it too). A patient's judgement is made again only when their
/// journal or the day changed (see [`knead_app::kept`]). Writes one
/// `viewed` line to each patient's audit log.
pub async fn dashboard(
    state: &AppState,
    clinician: &Clinician,
    offset: FixedOffset,
) -> Result<Vec<PatientRow>, Problem> {
    let grants = state.store.grants_of_clinician(clinician.person()).await?;
    let patients: Vec<PersonId> = grants.iter().map(|g| g.patient).collect();
    // Versions first: a write after this makes what is judged below stale.
    let versions: HashMap<PersonId, i64> =
        state.store.journal_versions(&patients).await?.into_iter().collect();
    let zone = Zone::Fixed(offset);
    let today = zone.day(state.app.now());
    let offset_seconds = offset.local_minus_utc();
    let mut rows = Vec::with_capacity(grants.len());
    for grant in &grants {
        let version = versions.get(&grant.patient).copied().unwrap_or_default();
        let key = (grant.patient, offset_seconds, today);
        let listed = match state.standings.get(&key, version) {
            Some(listed) => listed,
            None => {
                let listed = Arc::new(standing(state, grant, zone).await?.listed);
                state.standings.put(key, version, 1, Arc::clone(&listed));
                listed
            }
        };
        let row = PatientRow { patient: PatientOut::from(grant), ..listed.row.clone() };
        rows.push((attention::urgency(&listed.concerns), row));
    }
    state
        .app
        .log_views(clinician.person(), grants.iter().map(|g| g.patient), "summary on their patient list")
        .await?;
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(rows.into_iter().map(|(_, row)| row).collect())
}

/// The clinician's patients, most in need of attention first.
#[utoipa::path(get, path = "/api/v1/patients", tag = "clinic", params(DayQuery),
    responses((status = 200, body = Vec<PatientRow>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_patients(
    State(state): State<AppState>,
    clinician: Clinician,
    day: DayQuery,
) -> ApiResult<Json<Vec<PatientRow>>> {
    Ok(Json(dashboard(&state, &clinician, day.offset()?).await?))
}

/// One patient's record, as their clinician sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PatientRecord {
    /// Where they stand.
    pub summary: PatientRow,
    /// Pain over time and the §4 judgement.
    pub progress: ProgressOut,
    /// Sessions, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub sessions: Vec<SessionSummary>,
    /// Screenings, newest first (at most 50).
    pub screenings: Vec<ScreeningOut>,
    /// Weekly check-ins, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub checkins: Vec<CheckIn>,
    /// The program assigned, if any.
    pub program: Option<ProgramOut>,
    /// Messages, newest first (at most 50).
    pub messages: Vec<MessageOut>,
}

/// One patient's record (the pages use it too); logged as viewed.
pub async fn record(
    state: &AppState,
    treating: &Treating,
    offset: FixedOffset,
) -> Result<PatientRecord, Problem> {
    let person = treating.patient();
    let standing = standing(state, treating.grant(), Zone::Fixed(offset)).await?;
    let screenings = state.store.screenings(person, RECORD_SHOWN).await?;
    let record = PatientRecord {
        summary: standing.listed.row,
        progress: standing.progress,
        sessions: standing.sessions,
        screenings: screenings.into_iter().map(ScreeningOut::from).collect(),
        checkins: state.store.checkins(person).await?,
        program: program::program_of(state, person).await?,
        messages: state
            .store
            .messages(person, RECORD_SHOWN)
            .await?
            .into_iter()
            .map(MessageOut::from)
            .collect(),
    };
    treating.treated.log_view("record").await?;
    Ok(record)
}

/// One patient's record: sessions, pain, screenings, check-ins, program, messages.
#[utoipa::path(get, path = "/api/v1/patients/{patient}", tag = "clinic",
    params(("patient" = Uuid, Path, description = "The patient's id"), DayQuery),
    responses((status = 200, body = PatientRecord), (status = 404, description = "No such patient, or no access", body = Problem)))]
pub async fn get_patient(
    State(state): State<AppState>,
    treating: Treating,
    day: DayQuery,
) -> ApiResult<Json<PatientRecord>> {
    Ok(Json(record(&state, &treating, day.offset()?).await?))
}

/// Assign a home program within the pack's limits and the patient's screening.
#[utoipa::path(put, path = "/api/v1/patients/{patient}/program", tag = "clinic", request_body = AssignRequest,
    params(("patient" = Uuid, Path, description = "The patient's id")),
    responses(
        (status = 200, body = ProgramOut),
        (status = 404, description = "No such patient, or no access", body = Problem),
        (status = 409, description = "The patient's screening does not allow self-massage", body = Problem),
        (status = 422, description = "Outside a limit; `field` names it", body = Problem),
    ))]
pub async fn assign_program(
    State(state): State<AppState>,
    treating: Treating,
    JsonBody(req): JsonBody<AssignRequest>,
) -> ApiResult<Json<ProgramOut>> {
    treating.treated.assign(req.into()).await?;
    program::program_of(&state, treating.patient()).await?.map(Json).ok_or_else(Problem::internal)
}

/// A message to leave.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    /// The text (1 to 2,000 characters).
    pub text: String,
}

/// Leave the patient a message.
#[utoipa::path(post, path = "/api/v1/patients/{patient}/messages", tag = "clinic", request_body = NewMessage,
    params(("patient" = Uuid, Path, description = "The patient's id")),
    responses((status = 201, body = MessageOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn post_message(
    treating: Treating,
    JsonBody(req): JsonBody<NewMessage>,
) -> ApiResult<(StatusCode, Json<MessageOut>)> {
    let message = treating.treated.message(&req.text).await?;
    Ok((StatusCode::CREATED, Json(MessageOut::from(message))))
}

/// Which screening the clinician clears.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClearRequest {
    /// The patient's newest screening, as the clinician saw it: if a newer
    /// one came in since, nothing is cleared unseen.
    pub screening: Uuid,
}

/// Clear the patient for self-massage: you assessed this back pain.
///
/// It lifts the advice to see a doctor first of the patient's newest
/// screening, made today: its answers are judged again with the clearance
/// (by your address, on your today) and kept as a new screening. Emergency
/// and urgent advice, and technique limits, still stand. Written to the
/// patient's audit log.
#[utoipa::path(post, path = "/api/v1/patients/{patient}/clearance", tag = "clinic", request_body = ClearRequest,
    params(("patient" = Uuid, Path, description = "The patient's id"), DayQuery),
    responses(
        (status = 201, description = "The new screening, lowered by the clearance", body = ScreeningOut),
        (status = 404, description = "No such patient, or no access", body = Problem),
        (status = 409, description = "Not the newest screening, not from today, or one a clearance does not change", body = Problem),
        (status = 422, description = "Not a screening of this patient; `field` names it", body = Problem),
    ))]
pub async fn clear(
    treating: Treating,
    day: DayQuery,
    JsonBody(req): JsonBody<ClearRequest>,
) -> ApiResult<(StatusCode, Json<ScreeningOut>)> {
    let made = treating.treated.clear(req.screening, day.zone()?).await?;
    Ok((StatusCode::CREATED, Json(ScreeningOut::from(made))))
}
