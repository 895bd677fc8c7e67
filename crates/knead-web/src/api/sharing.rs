//! What a patient shares: invitations for clinicians, who has access (and
//! revoking it), the audit log of who saw what, the program a clinician
//! assigned and their messages, in a thread with each clinician. Every
//! handler takes a [`Patient`], so it reaches only the caller's own sharing.

use super::body::{IdPath, JsonBody};
use super::program::{ProgramOut, program_of};
use crate::AppState;
use crate::auth::Patient;
use crate::problem::{ApiResult, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use knead_app::sharing::Thread;
use knead_core::records::PersonId;
use knead_store::sharing::{AuditEntry, Grant, Message};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// The audit log entries shown at most.
const AUDIT_SHOWN: u32 = 200;

/// Messages shown at most.
const MESSAGES_SHOWN: u32 = 50;

/// A new invitation: the code is shown once and kept only as its hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationOut {
    /// The code to give the clinician (`XXXX-XXXX-XXXX`).
    pub code: String,
    /// The page where a clinician accepts it (a path on this server).
    pub link: String,
    /// After this it cannot be used.
    pub expires_at: DateTime<Utc>,
}

/// Make an invitation for `patient` (the pages use it too).
pub async fn invite(state: &AppState, patient: &Patient) -> Result<InvitationOut, Problem> {
    let made = state.app.patient(patient.person()).invite().await?;
    Ok(InvitationOut { link: made.path(), code: made.code, expires_at: made.expires_at })
}

/// Invite a clinician: a single-use code, valid for 7 days.
#[utoipa::path(post, path = "/api/v1/invitations", tag = "sharing",
    responses((status = 201, body = InvitationOut), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn create_invitation(
    State(state): State<AppState>,
    patient: Patient,
) -> ApiResult<(StatusCode, Json<InvitationOut>)> {
    Ok((StatusCode::CREATED, Json(invite(&state, &patient).await?)))
}

/// A clinician's access, as the patient sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantOut {
    /// Its id (to revoke it).
    pub id: Uuid,
    /// The clinician's address.
    pub clinician_email: String,
    /// Since when.
    pub granted_at: DateTime<Utc>,
    /// When it was revoked; absent while it lasts.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<Grant> for GrantOut {
    fn from(g: Grant) -> Self {
        Self {
            id: g.id,
            clinician_email: g.clinician_email,
            granted_at: g.granted_at,
            revoked_at: g.revoked_at,
        }
    }
}

/// Who has (and had) access, newest first.
#[utoipa::path(get, path = "/api/v1/grants", tag = "sharing",
    responses((status = 200, body = Vec<GrantOut>), (status = 401, body = Problem)))]
pub async fn list_grants(State(state): State<AppState>, patient: Patient) -> ApiResult<Json<Vec<GrantOut>>> {
    let grants = state.app.patient(patient.person()).grants().await?;
    Ok(Json(grants.into_iter().map(GrantOut::from).collect()))
}

/// Revoke a clinician's access: it ends with their next request.
#[utoipa::path(delete, path = "/api/v1/grants/{id}", tag = "sharing",
    params(("id" = Uuid, Path, description = "The grant's id")),
    responses((status = 204, description = "Revoked (or already revoked)"), (status = 404, body = Problem)))]
pub async fn revoke_grant(
    State(state): State<AppState>,
    patient: Patient,
    IdPath(id): IdPath,
) -> ApiResult<StatusCode> {
    state.app.patient(patient.person()).revoke(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One line of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditOut {
    /// When.
    pub at: DateTime<Utc>,
    /// Who (their address).
    pub actor_email: String,
    /// invited, granted, revoked, viewed, assigned, messaged or cleared.
    pub action: String,
    /// What it touched.
    pub detail: String,
}

impl From<AuditEntry> for AuditOut {
    fn from(e: AuditEntry) -> Self {
        Self { at: e.at, actor_email: e.actor_email, action: e.action.as_str().to_owned(), detail: e.detail }
    }
}

/// Who did what with the patient's data, newest first (at most 200).
#[utoipa::path(get, path = "/api/v1/audit", tag = "sharing",
    responses((status = 200, body = Vec<AuditOut>), (status = 401, body = Problem)))]
pub async fn audit_log(State(state): State<AppState>, patient: Patient) -> ApiResult<Json<Vec<AuditOut>>> {
    let log = state.app.patient(patient.person()).audit_log(AUDIT_SHOWN).await?;
    Ok(Json(log.into_iter().map(AuditOut::from).collect()))
}

/// A message in a thread between the patient and one clinician.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageOut {
    /// Its id.
    pub id: Uuid,
    /// The clinician of its thread.
    pub clinician: Uuid,
    /// Who wrote it: the clinician's address; empty for the patient's own,
    /// and for an account since deleted.
    pub author_email: String,
    /// Written by the patient (to the clinician), not by the clinician.
    pub mine: bool,
    /// When.
    pub at: DateTime<Utc>,
    /// The text.
    pub text: String,
    /// To be read before the next session: no plan until it is.
    pub before_session: bool,
    /// When its recipient read it: the patient a clinician's message, the
    /// clinician a patient's.
    pub read_at: Option<DateTime<Utc>>,
}

impl From<Message> for MessageOut {
    fn from(m: Message) -> Self {
        Self {
            id: m.id,
            clinician: m.clinician.0,
            mine: m.by_patient(),
            author_email: if m.by_patient() { String::new() } else { m.clinician_email },
            at: m.at,
            text: m.text,
            before_session: m.before_session,
            read_at: m.read_at,
        }
    }
}

/// Messages with your clinicians, in every thread, newest first (at most 50).
#[utoipa::path(get, path = "/api/v1/messages", tag = "sharing",
    responses((status = 200, body = Vec<MessageOut>), (status = 401, body = Problem)))]
pub async fn list_messages(
    State(state): State<AppState>,
    patient: Patient,
) -> ApiResult<Json<Vec<MessageOut>>> {
    let messages = state.app.patient(patient.person()).messages(MESSAGES_SHOWN).await?;
    Ok(Json(messages.into_iter().map(MessageOut::from).collect()))
}

/// A thread between the patient and one clinician.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadOut {
    /// The clinician (what a reply names in `clinician`).
    pub clinician: Uuid,
    /// Their address (empty for an account since deleted).
    pub clinician_email: String,
    /// Whether they have access now: only then can you write to them.
    pub open: bool,
    /// Their messages you have not read.
    pub unread: u32,
    /// The newest messages, newest first (at most 50).
    pub messages: Vec<MessageOut>,
}

impl From<Thread> for ThreadOut {
    fn from(t: Thread) -> Self {
        Self {
            clinician: t.clinician.0,
            clinician_email: t.clinician_email,
            open: t.open,
            unread: t.unread,
            messages: t.messages.into_iter().map(MessageOut::from).collect(),
        }
    }
}

/// Your threads: one with each clinician who has access, and one with each
/// who had and wrote before; the newest message first.
#[utoipa::path(get, path = "/api/v1/threads", tag = "sharing",
    responses((status = 200, body = Vec<ThreadOut>), (status = 401, body = Problem)))]
pub async fn list_threads(
    State(state): State<AppState>,
    patient: Patient,
) -> ApiResult<Json<Vec<ThreadOut>>> {
    let threads = state.app.patient(patient.person()).threads(MESSAGES_SHOWN).await?;
    Ok(Json(threads.into_iter().map(ThreadOut::from).collect()))
}

/// A message to one of your clinicians.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reply {
    /// The text (1 to 2,000 characters).
    pub text: String,
    /// The clinician it is for (a thread's `clinician`), one with access
    /// now. It may be left out when exactly one clinician has access.
    #[serde(default)]
    pub clinician: Option<Uuid>,
}

/// Write to one of your clinicians: only they read it.
#[utoipa::path(post, path = "/api/v1/messages", tag = "sharing", request_body = Reply,
    responses((status = 201, body = MessageOut), (status = 401, body = Problem),
        (status = 422, description = "`field` names `text`, or `clinician` when it is not one with access, or is \
            left out while more than one (or none) has access", body = Problem)))]
pub async fn reply(
    State(state): State<AppState>,
    patient: Patient,
    JsonBody(req): JsonBody<Reply>,
) -> ApiResult<(StatusCode, Json<MessageOut>)> {
    let message = state.app.patient(patient.person()).reply(req.clinician.map(PersonId), &req.text).await?;
    Ok((StatusCode::CREATED, Json(MessageOut::from(message))))
}

/// Up to which message the patient read, in one thread or in all.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Read {
    /// The time (`at`) of the newest message shown; without it, every one so far.
    #[serde(default)]
    pub through: Option<DateTime<Utc>>,
    /// The clinician whose thread was read; without it, every thread.
    #[serde(default)]
    pub clinician: Option<Uuid>,
}

/// Mark the messages from your clinicians read, up to the newest you were
/// shown, in one thread or in all: one to read before the next session
/// then no longer holds the plan back; one that came in meanwhile stays unread.
#[utoipa::path(post, path = "/api/v1/messages/read", tag = "sharing", request_body = Read,
    responses((status = 204, description = "Read"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn read_messages(
    State(state): State<AppState>,
    patient: Patient,
    JsonBody(req): JsonBody<Read>,
) -> ApiResult<StatusCode> {
    state.app.patient(patient.person()).read_messages(req.clinician.map(PersonId), req.through).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The home program a clinician assigned, checked against the newest
/// screening; `null` when none is.
#[utoipa::path(get, path = "/api/v1/program", tag = "sharing",
    responses((status = 200, body = Option<ProgramOut>), (status = 401, body = Problem)))]
pub async fn my_program(
    State(state): State<AppState>,
    patient: Patient,
) -> ApiResult<Json<Option<ProgramOut>>> {
    Ok(Json(program_of(&state, patient.person()).await?))
}
