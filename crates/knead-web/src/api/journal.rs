//! Sessions, progress and check-ins: the person's own journal.

use super::body::{DayQuery, IdPath, JsonBody, query};
use crate::AppState;
use crate::auth::Patient;
use crate::problem::{ApiResult, Problem};
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use chrono::{DateTime, NaiveDate, Utc};
use knead_app::Zone;
use knead_app::progress::Judged;
use knead_core::records::{CheckIn, PersonId, SessionRecord, SessionSummary};
use knead_core::vocab::Vocabulary as _;
use knead_store::{Period, Store};
use serde::{Deserialize, Serialize};

use utoipa::ToSchema;
use uuid::Uuid;

/// A time range in the query.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PeriodQuery {
    /// From this moment (RFC 3339, inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Up to this moment (RFC 3339, exclusive).
    pub to: Option<DateTime<Utc>>,
}

impl<S: Send + Sync> FromRequestParts<S> for PeriodQuery {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        query(parts)
    }
}

/// The person's sessions in a period, oldest first, without their steps.
/// The answer carries an `ETag` (the journal's version): sent back in
/// `If-None-Match`, it gets 304 while nothing changed. However long the
/// journal, the list is read and sent a page at a time; the server keeps
/// a short answer (up to 512 KiB) while the journal stays the same.
#[utoipa::path(get, path = "/api/v1/sessions", tag = "journal", params(PeriodQuery),
    responses(
        (status = 200, body = Vec<SessionSummary>),
        (status = 304, description = "Not changed since the ETag sent in If-None-Match"),
        (status = 401, body = Problem),
        (status = 422, body = Problem),
    ))]
pub async fn list_sessions(
    State(state): State<AppState>,
    patient: Patient,
    q: PeriodQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let (person, period) = (patient.person(), Period { from: q.from, to: q.to });
    // The version before the sessions: a write in between leaves this answer stale, never wrong.
    let version = state.store.journal_versions(&[person]).await?.first().map_or(0, |(_, v)| *v);
    let etag = format!("\"{version}\"");
    let cache = [(header::ETAG, etag.clone()), (header::CACHE_CONTROL, "private, no-store".to_owned())];
    let sent = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok());
    if sent.is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag)) {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    let json = [(header::CONTENT_TYPE, "application/json".to_owned())];
    let body = match state.histories.get(&(person, period), version) {
        Some(kept) => Body::from(Bytes::clone(&kept)),
        None => crate::streamed::history(state.clone(), person, period, version),
    };
    Ok((cache, json, body).into_response())
}

/// One session in full.
#[utoipa::path(get, path = "/api/v1/sessions/{id}", tag = "journal",
    params(("id" = Uuid, Path, description = "The session's id")),
    responses((status = 200, body = SessionRecord), (status = 404, body = Problem)))]
pub async fn get_session(
    State(state): State<AppState>,
    patient: Patient,
    IdPath(id): IdPath,
) -> ApiResult<Json<SessionRecord>> {
    state.store.session(patient.person(), id).await?.map(Json).ok_or_else(Problem::not_found)
}

/// What keeping a session said.
#[derive(Debug, Serialize, ToSchema)]
pub struct Kept {
    /// The session's id.
    pub id: Uuid,
}

/// Keep a whole session, done online or offline. The id is made on the
/// device, so sending it again (a sync after a lost answer) changes
/// nothing; the same id with other content is refused. The session must
/// come from a screening of this person that allows self-care, and stay
/// within the day's dose limits.
#[utoipa::path(put, path = "/api/v1/sessions/{id}", tag = "journal", request_body = SessionRecord,
    params(("id" = Uuid, Path, description = "The session's id, made on the device"), DayQuery),
    responses(
        (status = 200, description = "Kept (or already kept)", body = Kept),
        (status = 409, description = "Another session has this id, or the screening does not allow a session", body = Problem),
        (status = 422, description = "A field is not allowed, or a dose limit was passed", body = Problem),
    ))]
pub async fn put_session(
    State(state): State<AppState>,
    patient: Patient,
    IdPath(id): IdPath,
    day: DayQuery,
    JsonBody(session): JsonBody<SessionRecord>,
) -> ApiResult<Json<Kept>> {
    if session.id != id {
        return Err(Problem::invalid("id", format!("must be the id in the address, {id}")));
    }
    state.app.patient(patient.person()).record_session(&session, day.zone()?).await?;
    Ok(Json(Kept { id }))
}

/// One day's pain.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayPain {
    /// The day.
    pub day: NaiveDate,
    /// Mean pain before sessions, 0-10.
    pub before: f64,
    /// Mean pain after sessions, 0-10, if any was given.
    pub after: Option<f64>,
    /// Sessions that day.
    pub sessions: u32,
}

/// The progress judgement.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressOut {
    /// Pain per day, oldest first.
    pub days: Vec<DayPain>,
    /// Pain at the start (0-10).
    pub baseline: Option<u8>,
    /// Typical pain now, in tenths of a point.
    pub current_tenths: Option<u32>,
    /// The pain a meaningful improvement reaches, in tenths.
    pub target_tenths: Option<u32>,
    /// Whether that is reached.
    pub meaningful: bool,
    /// Days since the first reading judged.
    pub days_judged: u32,
    /// What calls for a clinician, in words (empty when all is well).
    pub flags: Vec<String>,
    /// The most severe disposition the flags call for, if any.
    pub disposition: Option<String>,
}

/// Pain over time and whether it calls for a clinician (§4 of the screening reference).
#[utoipa::path(get, path = "/api/v1/progress", tag = "journal", params(DayQuery),
    responses((status = 200, body = ProgressOut), (status = 401, body = Problem)))]
pub async fn progress(
    State(state): State<AppState>,
    patient: Patient,
    day: DayQuery,
) -> ApiResult<Json<ProgressOut>> {
    Ok(Json(assess(&state, patient.person(), day.zone()?).await?))
}

/// The progress of `person`, with days in `zone` (the pages use it too).
pub async fn assess(state: &AppState, person: PersonId, zone: Zone) -> Result<ProgressOut, Problem> {
    Ok(progress_of(&state.app.patient(person).judge(zone).await?))
}

/// The judgement as the API shows it, with pain per day.
pub fn progress_of(judged: &Judged) -> ProgressOut {
    let assessment = &judged.assessment;
    let days = judged
        .by_day(None)
        .into_iter()
        .map(|d| DayPain { day: d.day, before: d.before, after: d.after, sessions: d.sessions })
        .collect();
    ProgressOut {
        days,
        baseline: assessment.baseline,
        current_tenths: assessment.current_tenths,
        target_tenths: assessment.target_tenths,
        meaningful: assessment.meaningful,
        days_judged: assessment.days,
        disposition: assessment.flags.iter().map(|f| f.disposition()).max().map(|d| d.as_str().to_owned()),
        flags: assessment.flags.iter().map(|f| f.message()).collect(),
    }
}

/// Keep a weekly check-in (the id is made on the device).
#[utoipa::path(post, path = "/api/v1/checkins", tag = "journal", request_body = CheckIn,
    responses((status = 201, body = Kept), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_checkin(
    State(state): State<AppState>,
    patient: Patient,
    JsonBody(checkin): JsonBody<CheckIn>,
) -> ApiResult<(StatusCode, Json<Kept>)> {
    state.app.patient(patient.person()).add_checkin(&checkin).await?;
    Ok((StatusCode::CREATED, Json(Kept { id: checkin.id })))
}

/// The person's check-ins, oldest first.
#[utoipa::path(get, path = "/api/v1/checkins", tag = "journal",
    responses((status = 200, body = Vec<CheckIn>), (status = 401, body = Problem)))]
pub async fn list_checkins(State(state): State<AppState>, patient: Patient) -> ApiResult<Json<Vec<CheckIn>>> {
    Ok(Json(state.app.patient(patient.person()).checkins().await?))
}
