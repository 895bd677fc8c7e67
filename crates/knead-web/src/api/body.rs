//! Reading JSON bodies and queries so that an error names the field.

use crate::problem::Problem;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use chrono::FixedOffset;
use knead_app::Zone;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// A JSON request body: an object. A wrong content type, malformed JSON,
/// an array (which serde would read as the fields in order), an unknown
/// field or a wrong value is refused with the path of the field at fault.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

/// Read `text` as JSON into `T`, naming the field at fault (under `prefix`).
pub fn from_json<T: DeserializeOwned>(text: &[u8]) -> Result<T, Problem> {
    let mut de = serde_json::Deserializer::from_slice(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            Problem::malformed(format!("malformed JSON: {inner}"))
        } else {
            let message = inner.to_string().replace("unknown variant", "unknown value");
            let message = message.rfind(" at line ").map_or(message.clone(), |cut| message[..cut].to_owned());
            Problem::invalid(if field == "." { "body".to_owned() } else { field }, message)
        }
    })?;
    de.end().map_err(|e| Problem::malformed(format!("malformed JSON: {e}")))?;
    Ok(value)
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        let json = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
            v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        });
        if !json {
            return Err(Problem::not_json());
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if caused_by::<tower_http::timeout::TimeoutError>(&e) {
                Problem::body_too_slow()
            } else if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Problem::too_large()
            } else {
                let mut p = Problem::malformed(e.body_text());
                p.status = e.status().as_u16();
                p
            }
        })?;
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
            return Err(Problem::invalid("body", "a JSON object is expected, not an array"));
        }
        from_json(&bytes).map(JsonBody)
    }
}

/// Whether `error`, or an error behind it, is an `E`.
fn caused_by<E: std::error::Error + 'static>(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(e) = next {
        if e.is::<E>() {
            return true;
        }
        next = e.source();
    }
    false
}

/// The record id in the address (`{id}`). Anything but a UUID is refused
/// as a problem naming `id`, like every other error (axum's own answer is
/// plain text).
#[derive(Debug, Clone, Copy)]
pub struct IdPath(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        let Path(text) =
            Path::<String>::from_request_parts(parts, state).await.map_err(|_| Problem::not_found())?;
        Uuid::parse_str(&text)
            .map(IdPath)
            .map_err(|_| Problem::invalid("id", "a UUID, like 0190a0a0-0000-7000-8000-000000000000"))
    }
}

/// The caller's offset from UTC, so that "today" is the person's day.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DayQuery {
    /// Minutes east of UTC (e.g. 60 for Central European winter time); -840 to 840, default 0.
    #[serde(default)]
    #[param(minimum = -840, maximum = 840)]
    pub utc_offset_minutes: i32,
}

impl DayQuery {
    /// The offset, checked.
    pub fn offset(self) -> Result<FixedOffset, Problem> {
        if (-840..=840).contains(&self.utc_offset_minutes) {
            FixedOffset::east_opt(self.utc_offset_minutes * 60)
                .ok_or_else(|| Problem::invalid("utc_offset_minutes", "allowed: -840 to 840"))
        } else {
            Err(Problem::invalid(
                "utc_offset_minutes",
                format!("allowed: -840 to 840, not {}", self.utc_offset_minutes),
            ))
        }
    }
}

impl DayQuery {
    /// The caller's zone: days cut at the offset, checked.
    pub fn zone(self) -> Result<Zone, Problem> {
        self.offset().map(Zone::Fixed)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for DayQuery {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        let query: DayQuery = query(parts)?;
        query.offset()?;
        Ok(query)
    }
}

/// Read the request's query string, naming the parameter at fault.
pub fn query<T: DeserializeOwned>(parts: &Parts) -> Result<T, Problem> {
    axum::extract::Query::<T>::try_from_uri(&parts.uri).map(|q| q.0).map_err(|e| {
        Problem::invalid("query", e.body_text().replace("Failed to deserialize query string: ", ""))
    })
}
