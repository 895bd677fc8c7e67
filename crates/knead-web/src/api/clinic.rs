//! The clinician's side: accepting an invitation, the list of patients in
//! order of who needs attention, one patient's record, assigning a program,
//! leaving a message and clearing the patient for self-massage. A patient's
//! data is reached only through a [`Treating`], made from a live grant, and
//! every look is written to the patient's audit log.

use super::body::{DayQuery, JsonBody};
use super::journal::{self, ProgressOut};
use super::program::{AssignRequest, ProgramOut};
use super::screening::ScreeningOut;
use super::sharing::MessageOut;
use crate::AppState;
use crate::auth::{Clinician, Treating};
use crate::problem::{ApiResult, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use knead_app::clinic::Standing;
use knead_core::attention::{Adherence, Concern};
use knead_core::records::{CheckIn, SessionSummary};
use knead_core::vocab::Disposition;
use knead_store::sharing::Grant;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

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
        Concern::RedFlag(_) => "red_flag",
        Concern::Pain { .. } => "pain",
        Concern::Missed { .. } => "missed",
    }
}

impl PatientRow {
    fn new(grant: &Grant, s: &Standing, concerns: &[Concern]) -> Self {
        Self {
            patient: PatientOut::from(grant),
            concerns: concerns.iter().map(Concern::message).collect(),
            worst: concerns.first().map(|c| kind(c).to_owned()),
            screening: s.screening,
            current_tenths: s.current_tenths,
            baseline: s.baseline,
            week: s.week,
            since_assigned: s.since_assigned,
            last_session: s.last_session,
        }
    }
}

/// The clinician's patients, most in need of attention first.
#[utoipa::path(get, path = "/api/v1/patients", tag = "clinic", params(DayQuery),
    responses((status = 200, body = Vec<PatientRow>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_patients(
    State(state): State<AppState>,
    clinician: Clinician,
    day: DayQuery,
) -> ApiResult<Json<Vec<PatientRow>>> {
    let listed = state.app.patients(clinician.person(), day.zone()?).await?;
    Ok(Json(listed.iter().map(|l| PatientRow::new(&l.grant, &l.standing, &l.concerns)).collect()))
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

/// One patient's record: sessions, pain, screenings, check-ins, program, messages.
#[utoipa::path(get, path = "/api/v1/patients/{patient}", tag = "clinic",
    params(("patient" = Uuid, Path, description = "The patient's id"), DayQuery),
    responses((status = 200, body = PatientRecord), (status = 404, description = "No such patient, or no access", body = Problem)))]
pub async fn get_patient(treating: Treating, day: DayQuery) -> ApiResult<Json<PatientRecord>> {
    let record = treating.treated.record(day.zone()?).await?;
    Ok(Json(PatientRecord {
        summary: PatientRow::new(treating.grant(), &record.standing, &record.concerns),
        progress: journal::progress_of(&record.judged),
        sessions: record.judged.sessions,
        screenings: record.screenings.into_iter().map(ScreeningOut::from).collect(),
        checkins: record.checkins,
        program: record.program.map(ProgramOut::from),
        messages: record.messages.into_iter().map(MessageOut::from).collect(),
    }))
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
    treating: Treating,
    JsonBody(req): JsonBody<AssignRequest>,
) -> ApiResult<Json<ProgramOut>> {
    // A program is assigned only when it fits the newest screening, so it is not on hold.
    let assigned = treating.treated.assign(req.into()).await?;
    Ok(Json(ProgramOut::from((assigned, None))))
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

/// Which red flags the clinician saw.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeRequest {
    /// A screening of the patient that stopped self-care: it and every
    /// earlier one are acknowledged.
    pub screening: Uuid,
    /// A note kept with the acknowledgement (at most 2,000 characters).
    #[serde(default)]
    pub note: Option<String>,
}

/// An acknowledgement, as kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcknowledgementOut {
    /// Its id.
    pub id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// The newest red flag it covers: the time of its screening.
    pub through: DateTime<Utc>,
    /// The note.
    pub note: Option<String>,
}

/// Acknowledge the patient's red flags up to a screening.
///
/// A screening that said emergency, urgent or see a doctor first keeps the
/// patient first on your list, flagged, for the pack's days, even after a
/// later ordinary screening, until you acknowledge it. A newer red flag
/// flags the patient again. Written to the patient's audit log (the note
/// is not).
#[utoipa::path(post, path = "/api/v1/patients/{patient}/acknowledgements", tag = "clinic",
    request_body = AcknowledgeRequest,
    params(("patient" = Uuid, Path, description = "The patient's id")),
    responses(
        (status = 201, body = AcknowledgementOut),
        (status = 404, description = "No such patient, or no access", body = Problem),
        (status = 422, description = "Not a red-flag screening of this patient, or a note too long; `field` names it", body = Problem),
    ))]
pub async fn acknowledge(
    treating: Treating,
    JsonBody(req): JsonBody<AcknowledgeRequest>,
) -> ApiResult<(StatusCode, Json<AcknowledgementOut>)> {
    let ack = treating.treated.acknowledge(req.screening, req.note.as_deref()).await?;
    Ok((
        StatusCode::CREATED,
        Json(AcknowledgementOut { id: ack.id, at: ack.at, through: ack.through, note: ack.note }),
    ))
}
