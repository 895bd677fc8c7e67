//! Reminders by calendar subscription: a private address (`/calendar/TOKEN.ics`)
//! that a calendar app polls, so the reminders follow the person's times and
//! their clinician's program without exporting a file again.
//!
//! The address is the key: a calendar app cannot sign in, so the token in
//! it (random, 256 bits) is the only lock. It is shown once, when the feed
//! is made; the store keeps only its SHA-256, so `GET /api/v1/calendar`
//! says that a feed exists but cannot show the address again. Making a new
//! feed ends the old address at once (the store does both in one
//! transaction), and so does revoking. An unknown or ended address answers
//! exactly like any other unknown page, and the request log names the route
//! (`/calendar/{file}`), never the token.
//!
//! The feed is written afresh on each poll for the next [`FEED_DAYS`] days
//! from the person's today, so it never runs out. Times are floating local
//! times (see [`knead_export::ical`]); the offset kept with the feed only
//! decides which day is today. While a clinician's program is in force and
//! the newest screening allows it, the reminders fall only on the
//! program's days ([`is_session_day`]) up to its last day, carry its note,
//! and are no more a day than its sessions a day. While the program is on
//! hold (the newest screening stops self-care or rules out all its
//! techniques), the feed holds no reminders: prompting a session the
//! screening does not allow would be wrong, and the Sharing page says why.
//! The same goes while the newest screening or the person's pain over time
//! (§4) calls for a doctor first ([`knead_app::Own::reminders_paused`]).

use super::body::{DayQuery, JsonBody};
use crate::AppState;
use crate::auth::Patient;
use crate::problem::{ApiResult, Problem};
use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderName, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Days, Offset, Utc};
use knead_app::Zone;
use knead_app::program::Followed;
use knead_app::reminders::hh_mm;
use knead_app::secret;
use knead_core::reminders::is_session_day;
use knead_export::ical::{self, FeedPlan};
use knead_store::calendars::{CalendarFeed, Calendars};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How many days ahead a feed holds, from the person's today.
pub const FEED_DAYS: u64 = 14;

/// The reminders to subscribe to.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarRequest {
    /// Local times of day as `HH:MM`, each once: 1 to the day's limit (the
    /// content pack's daily sessions, or the sessions a day of a
    /// clinician's program in force).
    pub times: Vec<String>,
    /// Minutes east of UTC (e.g. 60 for Central European winter time);
    /// -840 to 840, default 0. It decides which day is today for the feed.
    #[serde(default)]
    pub utc_offset_minutes: i32,
}

/// A live feed, without its address (only its hash is kept).
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarOut {
    /// The local times of day, `HH:MM`, earliest first.
    pub times: Vec<String>,
    /// Minutes east of UTC when it was made.
    pub utc_offset_minutes: i32,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

impl From<&CalendarFeed> for CalendarOut {
    fn from(feed: &CalendarFeed) -> Self {
        Self {
            times: hh_mm(&feed.times),
            utc_offset_minutes: feed.utc_offset_minutes,
            created_at: feed.created_at,
        }
    }
}

/// A new feed: its address, shown only in this answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewCalendarOut {
    /// The private address to subscribe to (a path on this server,
    /// `/calendar/TOKEN.ics`). Anyone with it can read the reminders.
    pub url: String,
    /// The local times of day, `HH:MM`, earliest first.
    pub times: Vec<String>,
    /// Minutes east of UTC.
    pub utc_offset_minutes: i32,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// Make a private calendar address for reminders at `times`; the old
/// address, if any, stops working. The address is in this answer only.
#[utoipa::path(put, path = "/api/v1/calendar", tag = "calendar", request_body = CalendarRequest,
    responses((status = 201, body = NewCalendarOut), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, description = "A time is malformed or repeated, or there are more than the day's limit (named with its source)", body = Problem)))]
pub async fn put_calendar(
    State(state): State<AppState>,
    patient: Patient,
    JsonBody(req): JsonBody<CalendarRequest>,
) -> ApiResult<Response> {
    let own = state.app.patient(patient.person());
    let made = own.open_feed(req.times.iter().map(String::as_str), req.utc_offset_minutes).await?;
    let out = NewCalendarOut {
        url: made.path(),
        times: hh_mm(&made.feed.times),
        utc_offset_minutes: made.feed.utc_offset_minutes,
        created_at: made.feed.created_at,
    };
    Ok((StatusCode::CREATED, [(header::CACHE_CONTROL, "no-store")], Json(out)).into_response())
}

/// The live calendar feed's times, or `null` when there is none. The
/// address is not kept, so it cannot be shown again: make a new one.
#[utoipa::path(get, path = "/api/v1/calendar", tag = "calendar",
    responses((status = 200, body = Option<CalendarOut>), (status = 401, body = Problem)))]
pub async fn get_calendar(
    State(state): State<AppState>,
    patient: Patient,
) -> ApiResult<Json<Option<CalendarOut>>> {
    Ok(Json(state.app.patient(patient.person()).feed().await?.as_ref().map(CalendarOut::from)))
}

/// End the calendar address: a calendar app polling it gets 404.
#[utoipa::path(delete, path = "/api/v1/calendar", tag = "calendar",
    responses((status = 204, description = "Ended (or there was none)"), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn delete_calendar(State(state): State<AppState>, patient: Patient) -> ApiResult<StatusCode> {
    state.app.patient(patient.person()).close_feed().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The feed behind `file` (`TOKEN.ics`) as iCalendar text, or `None` when
/// there is no live feed behind it.
async fn feed_text(state: &AppState, file: &str) -> Result<Option<String>, Problem> {
    let Some(token) = file.strip_suffix(".ics") else { return Ok(None) };
    let Some(feed) = state.store.feed(&secret::hash(token)).await? else { return Ok(None) };
    let now = state.app.now();
    let zone =
        DayQuery { utc_offset_minutes: feed.utc_offset_minutes }.zone().unwrap_or(Zone::Fixed(Utc.fix()));
    let today = zone.day(now);
    let window = (0..FEED_DAYS).filter_map(|i| today.checked_add_days(Days::new(i)));
    let own = state.app.patient(feed.person);
    let (days, note) = match own.followed(today).await? {
        _ if own.reminders_paused(zone).await? => (Vec::new(), None),
        None => (window.collect(), None),
        Some(Followed { program: Ok(program), start }) => (
            window.filter(|day| is_session_day(&program, start, *day)).collect(),
            program.note().map(|note| format!("Your home program, {}: {note}", program.set_by().described())),
        ),
        Some(Followed { program: Err(_), .. }) => (Vec::new(), None),
    };
    let plan = FeedPlan { times: feed.times, days, note, scope: feed.person.0.to_string() };
    Ok(Some(ical::feed(&plan, now)))
}

/// `GET /calendar/{file}`: the feed, for a calendar app (no sign-in: the
/// token is the key). Not stored by caches or indexed by search engines.
pub async fn feed_ics(State(state): State<AppState>, file: Result<Path<String>, PathRejection>) -> Response {
    let text = match file {
        Ok(Path(file)) => feed_text(&state, &file).await,
        Err(_) => Ok(None),
    };
    match text {
        Ok(Some(text)) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CACHE_CONTROL, "private, no-store"),
                (header::CONTENT_DISPOSITION, "inline; filename=\"knead.ics\""),
                (HeaderName::from_static("x-robots-tag"), "noindex, nofollow"),
            ],
            text,
        )
            .into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, Html(crate::pages::not_found_page())).into_response(),
        Err(problem) => problem.into_response(),
    }
}
