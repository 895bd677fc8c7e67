//! The clinician's side: accepting an invitation, the list of patients in
//! order of who needs attention, one patient's record, assigning a program,
//! leaving a message and clearing the patient for self-massage. A patient's
//! data is reached only through a [`Treating`], made from a live grant, and
//! every look is written to the patient's audit log.

use super::body::{DayQuery, JsonBody};
use super::journal::{self, ProgressOut};
use super::program::{AssignRequest, ProgramOut};
use super::screening::{ClearanceOut, ScreeningOut};
use super::sharing::MessageOut;
use crate::AppState;
use crate::auth::{Clinician, Treating};
use crate::problem::{ApiResult, Problem};
use crate::security::ClientAddress;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use knead_app::clinic::{Seen, Standing};
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
    /// The name they chose to be shown by, if any.
    pub name: Option<String>,
    /// Since when.
    pub granted_at: DateTime<Utc>,
}

impl From<&Grant> for PatientOut {
    fn from(g: &Grant) -> Self {
        Self {
            patient: g.patient.0,
            email: g.patient_email.clone(),
            name: g.patient_name.clone(),
            granted_at: g.granted_at,
        }
    }
}

/// Accept a patient's invitation: access from now until they revoke it.
#[utoipa::path(post, path = "/api/v1/invitations/accept", tag = "clinic", request_body = Accept,
    responses(
        (status = 201, body = PatientOut),
        (status = 403, description = "Not a clinician's account", body = Problem),
        (status = 422, description = "No open invitation has this code", body = Problem),
        (status = 429, description = "Too many codes tried from this client, or this code tried too often \
            (`type` `/problems/too-many-attempts`)", body = Problem,
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
    ))]
pub async fn accept_invitation(
    State(state): State<AppState>,
    clinician: Clinician,
    ClientAddress(client): ClientAddress,
    JsonBody(req): JsonBody<Accept>,
) -> ApiResult<(StatusCode, Json<PatientOut>)> {
    let grant = state.app.accept(clinician.person(), &req.code, client).await?;
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
    /// The flags not yet acknowledged, in the order of `concerns`, each
    /// with what names it in an acknowledgement.
    pub unseen: Vec<Unseen>,
    /// The newest screening's disposition.
    pub screening: Option<Disposition>,
    /// Typical pain now, in tenths (the mean pain-before of the last week with readings).
    pub current_tenths: Option<u32>,
    /// Pain at the start.
    pub baseline: Option<u8>,
    /// Sessions done against assigned in the last 7 days, when a program is assigned.
    pub week: Option<Adherence>,
    /// Sessions done against assigned from the program's first day through today.
    pub since_assigned: Option<Adherence>,
    /// The newest session.
    pub last_session: Option<DateTime<Utc>>,
    /// The messages the patient wrote to you that you have not read (on a
    /// record: those it shows you for the first time).
    pub unread_messages: u32,
}

/// A flag the clinician has not acknowledged yet.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Unseen {
    /// red_flag or pain.
    pub kind: String,
    /// A red flag's screening.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screening: Option<Uuid>,
    /// The day a pain flag was raised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pain_day: Option<NaiveDate>,
}

impl Unseen {
    fn of(c: &Concern) -> Option<Unseen> {
        let (screening, pain_day) = match Seen::of(c)? {
            Seen::Screening(id) => (Some(id), None),
            Seen::Pain(day) => (None, Some(day)),
        };
        Some(Unseen { kind: kind(c).to_owned(), screening, pain_day })
    }
}

fn kind(c: &Concern) -> &'static str {
    match c {
        Concern::RedFlag(_) => "red_flag",
        Concern::Pain { .. } => "pain",
        Concern::Missed { .. } => "missed",
    }
}

impl PatientRow {
    fn new(grant: &Grant, s: &Standing, concerns: &[Concern], unread_messages: u32) -> Self {
        Self {
            patient: PatientOut::from(grant),
            concerns: concerns.iter().map(Concern::message).collect(),
            worst: concerns.first().map(|c| kind(c).to_owned()),
            unseen: concerns.iter().filter_map(Unseen::of).collect(),
            screening: s.screening,
            current_tenths: s.current_tenths,
            baseline: s.baseline,
            week: s.week,
            since_assigned: s.since_assigned,
            last_session: s.last_session,
            unread_messages,
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
    Ok(Json(listed.iter().map(|l| PatientRow::new(&l.grant, &l.standing, &l.concerns, l.unread)).collect()))
}

/// One patient's record, as their clinician sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PatientRecord {
    /// Where they stand.
    pub summary: PatientRow,
    /// Pain over time and the §4 judgement.
    pub progress: ProgressOut,
    /// The newest sessions (at most 200), oldest first: pain over the
    /// whole journal is in `progress`, by day.
    pub sessions: Vec<SessionSummary>,
    /// How many sessions the journal holds in all.
    pub sessions_total: u64,
    /// Screenings, newest first (at most 50).
    pub screenings: Vec<ScreeningOut>,
    /// Weekly check-ins, oldest first.
    pub checkins: Vec<CheckIn>,
    /// The program assigned, if any.
    pub program: Option<ProgramOut>,
    /// Your thread with the patient, newest first (at most 50), as it
    /// stood before this look: the patient's messages without `read_at`
    /// are new to you. This look marks them read.
    pub messages: Vec<MessageOut>,
}

/// One patient's record: sessions, pain, screenings, check-ins, program,
/// your thread of messages (read by this look).
#[utoipa::path(get, path = "/api/v1/patients/{patient}", tag = "clinic",
    params(("patient" = Uuid, Path, description = "The patient's id"), DayQuery),
    responses((status = 200, body = PatientRecord), (status = 404, description = "No such patient, or no access", body = Problem)))]
pub async fn get_patient(treating: Treating, day: DayQuery) -> ApiResult<Json<PatientRecord>> {
    let record = treating.treated.record(day.zone()?).await?;
    Ok(Json(PatientRecord {
        summary: PatientRow::new(treating.grant(), &record.standing, &record.concerns, record.unread),
        progress: journal::progress_of(&record.judged),
        sessions: record.sessions.sessions,
        sessions_total: record.sessions.total,
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
    /// The patient must read it before their next session: no plan is
    /// given until they have.
    #[serde(default)]
    pub before_session: bool,
}

/// Write to the patient, in your thread with them.
#[utoipa::path(post, path = "/api/v1/patients/{patient}/messages", tag = "clinic", request_body = NewMessage,
    params(("patient" = Uuid, Path, description = "The patient's id")),
    responses((status = 201, body = MessageOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn post_message(
    treating: Treating,
    JsonBody(req): JsonBody<NewMessage>,
) -> ApiResult<(StatusCode, Json<MessageOut>)> {
    let message = treating.treated.message(&req.text, req.before_session).await?;
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

/// A clearance reviewed, and the screening a withdrawal made, if it did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewedOut {
    /// The clearance as kept now.
    pub clearance: ClearanceOut,
    /// When the withdrawn clearance was the one the patient's newest
    /// screening stood on: those answers judged again without it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screening: Option<ScreeningOut>,
}

/// Confirm a clearance the patient reported themselves.
///
/// The patient said a doctor or physiotherapist cleared them; you confirm
/// it. It shows as confirmed by you, and the patient's audit log says so.
/// Confirming it again changes nothing.
#[utoipa::path(post, path = "/api/v1/patients/{patient}/clearance/confirm", tag = "clinic",
    request_body = ClearRequest,
    params(("patient" = Uuid, Path, description = "The patient's id")),
    responses(
        (status = 200, body = ReviewedOut),
        (status = 404, description = "No such patient, or no access", body = Problem),
        (status = 409, description = "The clearance was withdrawn, or a clinician recorded it", body = Problem),
        (status = 422, description = "Not a screening of this patient with a clearance; `field` names it", body = Problem),
    ))]
pub async fn confirm_clearance(
    treating: Treating,
    JsonBody(req): JsonBody<ClearRequest>,
) -> ApiResult<Json<ReviewedOut>> {
    let clearance = treating.treated.confirm_clearance(req.screening).await?;
    Ok(Json(ReviewedOut { clearance: clearance.into(), screening: None }))
}

/// Withdraw a clearance: it lifts nothing from now on.
///
/// The count of pain over time no longer starts again at it. When the
/// patient's newest screening stood on it, those answers are judged again
/// without it and kept as a new screening (in the answer), which puts the
/// patient back to see a doctor first. After a withdrawal, a clearance the
/// patient reports counts only from a later day. Withdrawing it again
/// changes nothing.
#[utoipa::path(post, path = "/api/v1/patients/{patient}/clearance/withdraw", tag = "clinic",
    request_body = ClearRequest,
    params(("patient" = Uuid, Path, description = "The patient's id")),
    responses(
        (status = 200, body = ReviewedOut),
        (status = 404, description = "No such patient, or no access", body = Problem),
        (status = 422, description = "Not a screening of this patient with a clearance; `field` names it", body = Problem),
    ))]
pub async fn withdraw_clearance(
    treating: Treating,
    JsonBody(req): JsonBody<ClearRequest>,
) -> ApiResult<Json<ReviewedOut>> {
    let (clearance, made) = treating.treated.withdraw_clearance(req.screening).await?;
    Ok(Json(ReviewedOut { clearance: clearance.into(), screening: made.map(ScreeningOut::from) }))
}

/// Which flags the clinician saw: name exactly one of `screening` and
/// `pain_day`; it and every flag raised before it are acknowledged.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeRequest {
    /// A screening of the patient that stopped self-care.
    #[serde(default)]
    pub screening: Option<Uuid>,
    /// The day a §4 pain flag was raised (a `pain` concern's `day`).
    #[serde(default)]
    pub pain_day: Option<NaiveDate>,
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

/// Acknowledge the patient's flags up to a screening or a pain flag.
///
/// A screening that said emergency, urgent or see a doctor first, and a §4
/// pain flag (worse, severe, not improving), keep the patient first on
/// your list, flagged, for the pack's days (a pain flag in force, for as
/// long as it is), even after a later ordinary screening, a clearance or
/// better pain, until you acknowledge it. A newer flag flags the patient
/// again. Clearing the patient acknowledges what came before. Written to
/// the patient's audit log (the note is not).
#[utoipa::path(post, path = "/api/v1/patients/{patient}/acknowledgements", tag = "clinic",
    request_body = AcknowledgeRequest,
    params(("patient" = Uuid, Path, description = "The patient's id"), DayQuery),
    responses(
        (status = 201, body = AcknowledgementOut),
        (status = 404, description = "No such patient, or no access", body = Problem),
        (status = 422, description = "Not a red-flag screening of this patient, no pain flag raised that day, both or neither named, or a note too long; `field` names it", body = Problem),
    ))]
pub async fn acknowledge(
    treating: Treating,
    day: DayQuery,
    JsonBody(req): JsonBody<AcknowledgeRequest>,
) -> ApiResult<(StatusCode, Json<AcknowledgementOut>)> {
    let seen = match (req.screening, req.pain_day) {
        (Some(id), None) => Seen::Screening(id),
        (None, Some(day)) => Seen::Pain(day),
        _ => return Err(Problem::invalid("screening", "name exactly one of `screening` and `pain_day`")),
    };
    let ack = treating.treated.acknowledge(seen, req.note.as_deref(), day.zone()?).await?;
    Ok((
        StatusCode::CREATED,
        Json(AcknowledgementOut { id: ack.id, at: ack.at, through: ack.through, note: ack.note }),
    ))
}
