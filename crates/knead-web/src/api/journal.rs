//! Sessions, progress and check-ins: the person's own journal.

use super::body::{DayQuery, IdPath, JsonBody, day_period, local_day, query};
use super::screening::permit_for;
use crate::AppState;
use crate::auth::Patient;
use crate::problem::{ApiResult, Problem};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use knead_core::limits;
use knead_core::outcomes::{self, PainReading};
use knead_core::vocab::Vocabulary as _;
use knead_export::chart::{self, ChartOptions, ProgressPoint};
use knead_store::records::{CheckIn, PersonId, SessionRecord, SessionStatus, SessionSummary};
use knead_store::{DayRule, Period, Store, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
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
/// `If-None-Match`, it gets 304 while nothing changed. The server also
/// keeps the answer it sent while the journal stays the same.
#[utoipa::path(get, path = "/api/v1/sessions", tag = "journal", params(PeriodQuery),
    responses(
        (status = 200, body = Vec<Object>),
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
    let cache = [(header::ETAG, etag.clone()), (header::CACHE_CONTROL, "private, no-cache".to_owned())];
    let sent = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok());
    if sent.is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag)) {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    let key = (person, period);
    let body = match state.histories.get(&key, version) {
        Some(body) => body,
        None => {
            let sessions = state.store.session_summaries(person, period).await?;
            let body = Arc::new(Bytes::from(serde_json::to_vec(&sessions).map_err(|_| Problem::internal())?));
            state.histories.put(key, version, body.len(), Arc::clone(&body));
            body
        }
    };
    let json = [(header::CONTENT_TYPE, "application/json".to_owned())];
    Ok((cache, json, Bytes::clone(&body)).into_response())
}

/// One session in full.
#[utoipa::path(get, path = "/api/v1/sessions/{id}", tag = "journal",
    params(("id" = Uuid, Path, description = "The session's id")),
    responses((status = 200, body = Object), (status = 404, body = Problem)))]
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
#[utoipa::path(put, path = "/api/v1/sessions/{id}", tag = "journal", request_body = Object,
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
    let person = patient.person();
    if session.id != id {
        return Err(Problem::invalid("id", format!("must be the id in the address, {id}")));
    }
    if session.status == SessionStatus::InProgress {
        return Err(Problem::invalid("status", "allowed: completed, stopped, interrupted (a whole session)"));
    }
    let offset = day.offset()?;
    let kept = match admissible(&state, person, &session).await {
        Ok(()) => {
            let within = day_period(local_day(session.started_at, offset), offset);
            let pack = Arc::clone(&state.config.pack);
            let usage = session.usage.clone();
            // Judged in the store's write, against the sessions kept before
            // it: two sessions sent at once cannot pass a daily limit together.
            let rule: DayRule = Arc::new(move |others| {
                let before = limits::usage(others);
                limits::broken_limits(&pack, &usage, &before)
                    .first()
                    .map_or(Ok(()), |b| Err(b.message.clone()))
            });
            state.store.record_session_within(person, &session, within, rule).await.map_err(|e| match e {
                StoreError::Refused(message) => Problem::invalid("usage", message),
                other => other.into(),
            })
        }
        Err(refused) => Err(refused),
    };
    match kept {
        Ok(()) => Ok(Json(Kept { id })),
        // A retry of a session kept earlier is answered as kept, even if
        // today's pack would judge it otherwise (the record stands).
        Err(refused) => match state.store.session(person, id).await? {
            Some(earlier) if earlier == session => Ok(Json(Kept { id })),
            _ => Err(refused),
        },
    }
}

/// Whether a session may be kept, before its day is judged: its usage
/// adds up its steps, and its screening (of this person) allows self-care
/// and every technique it used: a pacemaker rules out the massager,
/// whatever a client sends.
async fn admissible(state: &AppState, person: PersonId, session: &SessionRecord) -> Result<(), Problem> {
    let screening = session.screening_id.ok_or_else(|| {
        Problem::invalid("screening_id", "the screening the session was planned from is needed")
    })?;
    check_usage_matches_steps(session)?;
    let (_, permit) = permit_for(state, person, screening).await?;
    let used = session.usage.keys().chain(session.steps.iter().map(|s| &s.technique));
    match used.copied().find(|t| !permit.allows(*t)) {
        Some(technique) => Err(Problem::invalid(
            "usage",
            format!(
                "{} is ruled out by the screening ({})",
                technique.as_str(),
                permit.excluded_by(technique).join(", ")
            ),
        )),
        None => Ok(()),
    }
}

/// A session's `usage` is what the limits are checked on, so when it has
/// steps, their active seconds must add up to it, technique by technique.
fn check_usage_matches_steps(session: &SessionRecord) -> Result<(), Problem> {
    if session.steps.is_empty() {
        return Ok(());
    }
    let mut from_steps: BTreeMap<_, u32> = BTreeMap::new();
    for step in &session.steps {
        *from_steps.entry(step.technique).or_default() += step.active_seconds;
    }
    let claimed: BTreeMap<_, u32> =
        session.usage.iter().filter(|(_, s)| **s > 0).map(|(t, s)| (*t, *s)).collect();
    from_steps.retain(|_, s| *s > 0);
    if claimed == from_steps {
        Ok(())
    } else {
        let said: Vec<String> = from_steps.iter().map(|(t, s)| format!("{} {s} s", t.as_str())).collect();
        Err(Problem::invalid("usage", format!("must add up the steps' active seconds: {}", said.join(", "))))
    }
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
    Ok(Json(assess(&state, patient.person(), day.offset()?).await?))
}

/// The progress of `person`, with days cut at `offset` (the pages use it too).
pub async fn assess(state: &AppState, person: PersonId, offset: FixedOffset) -> Result<ProgressOut, Problem> {
    Ok(progress_of(&judge(state, person, offset).await?))
}

/// A journal judged by §4 of the screening reference.
pub struct Judged {
    /// Every session, oldest first.
    pub sessions: Vec<SessionSummary>,
    /// Its pain readings, by local day.
    pub readings: Vec<PainReading>,
    /// The judgement.
    pub assessment: outcomes::Assessment,
}

/// Read and judge the journal of `person`, with days cut at `offset`.
pub async fn judge(state: &AppState, person: PersonId, offset: FixedOffset) -> Result<Judged, Problem> {
    let sessions = state.store.session_summaries(person, Period::default()).await?;
    let readings: Vec<PainReading> = sessions
        .iter()
        .map(|s| PainReading {
            day: local_day(s.started_at, offset),
            before: s.pain_before,
            after: s.pain_after,
        })
        .collect();
    let today = local_day(state.config.now.now(), offset);
    let cleared_on = state.store.cleared_on(person).await?;
    let assessment = outcomes::assess(&state.config.pack.escalation, &readings, today, cleared_on);
    Ok(Judged { sessions, readings, assessment })
}

/// The judgement as the API shows it, with pain per day.
pub fn progress_of(judged: &Judged) -> ProgressOut {
    let assessment = &judged.assessment;
    // Per day: sum before, sessions, sum after, sessions with an after.
    let mut by_day: BTreeMap<NaiveDate, (u32, u32, u32, u32)> = BTreeMap::new();
    for r in &judged.readings {
        let e = by_day.entry(r.day).or_default();
        e.0 += u32::from(r.before.get());
        e.1 += 1;
        if let Some(a) = r.after {
            e.2 += u32::from(a.get());
            e.3 += 1;
        }
    }
    let days = by_day
        .into_iter()
        .map(|(day, (before, n, after, m))| DayPain {
            day,
            before: f64::from(before) / f64::from(n),
            after: (m > 0).then(|| f64::from(after) / f64::from(m)),
            sessions: n,
        })
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

/// The progress chart of `person` as SVG: the same chart as `knead progress --svg`.
pub async fn progress_chart(state: &AppState, person: PersonId) -> Result<String, Problem> {
    let sessions = state.store.session_summaries(person, Period::default()).await?;
    let points: Vec<ProgressPoint> = sessions.iter().map(ProgressPoint::from).collect();
    let target = sessions
        .first()
        .and_then(|s| outcomes::meaningful_target(&state.config.pack.escalation, s.pain_before.get()))
        .map(|t| f64::from(t) / 10.0);
    chart::progress_svg(&points, &ChartOptions { target, ..ChartOptions::default() }).map_err(|e| {
        tracing::error!(error = %e, "chart failed");
        Problem::internal()
    })
}

/// Keep a weekly check-in (the id is made on the device).
#[utoipa::path(post, path = "/api/v1/checkins", tag = "journal", request_body = Object,
    responses((status = 201, body = Kept), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_checkin(
    State(state): State<AppState>,
    patient: Patient,
    JsonBody(checkin): JsonBody<CheckIn>,
) -> ApiResult<(StatusCode, Json<Kept>)> {
    state.store.add_checkin(patient.person(), &checkin).await?;
    Ok((StatusCode::CREATED, Json(Kept { id: checkin.id })))
}

/// The person's check-ins, oldest first.
#[utoipa::path(get, path = "/api/v1/checkins", tag = "journal",
    responses((status = 200, body = Vec<Object>), (status = 401, body = Problem)))]
pub async fn list_checkins(State(state): State<AppState>, patient: Patient) -> ApiResult<Json<Vec<CheckIn>>> {
    Ok(Json(state.store.checkins(patient.person()).await?))
}
