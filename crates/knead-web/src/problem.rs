//! Errors as problem details (RFC 9457): a status, a short title, what went
//! wrong in words and, when one field is at fault, which (`field`, as a
//! path like `pain.intensity`). A denial never says whether what was asked
//! for exists: "not yours" and "not there" are the same 404.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use knead_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// A problem details object.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`about:blank` when the status says it all).
    #[serde(rename = "type")]
    pub kind: String,
    /// The kind in a few words.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// This occurrence in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The field at fault, as a path into the request body or query.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The §4 flag that stops self-massage (`worsening`, `severe`,
    /// `no_improvement`), when one is behind a refusal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flag: Option<&'static str>,
    /// Seconds to wait before trying again: sent as `Retry-After`, not in the body.
    #[serde(skip)]
    pub retry_after: Option<std::num::NonZeroU32>,
}

impl Problem {
    fn new(status: StatusCode, kind: &str, title: &str) -> Self {
        Self {
            kind: if kind == "about:blank" { kind.to_owned() } else { format!("/problems/{kind}") },
            title: title.to_owned(),
            status: status.as_u16(),
            detail: None,
            field: None,
            flag: None,
            retry_after: None,
        }
    }

    /// With a description of this occurrence.
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// A field is wrong (422).
    pub fn invalid(field: impl Into<String>, problem: impl Into<String>) -> Self {
        let mut p = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-field", "A field is not valid");
        p.field = Some(field.into());
        p.detail = Some(p.field.clone().unwrap_or_default() + ": " + &problem.into());
        p
    }

    /// The body is not JSON of the expected shape (400).
    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "malformed-body", "The request body could not be read")
            .detail(detail)
    }

    /// The body stopped arriving before it was whole (408); nothing was
    /// read or kept. See [`crate::serve::Connections::body_timeout`].
    pub fn body_too_slow() -> Self {
        Self::new(StatusCode::REQUEST_TIMEOUT, "about:blank", "The request body did not arrive in time")
            .detail("the body paused for too long before it was complete; send it again")
    }

    /// The body is not sent as JSON (415).
    pub fn not_json() -> Self {
        Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "about:blank", "The request body must be JSON")
            .detail("send the body as JSON, with Content-Type: application/json")
    }

    /// The body is larger than [`crate::security::BODY_LIMIT`] (413); it
    /// was not read.
    pub fn too_large() -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "about:blank", "The request body is too large")
            .detail(format!("allowed: at most {} bytes", crate::security::BODY_LIMIT))
    }

    /// Not signed in, or the sign-in lapsed (401).
    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "about:blank", "Sign in first")
    }

    /// Wrong address or password (401), never saying which.
    pub fn bad_credentials() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "bad-credentials", "The email address or password is wrong")
    }

    /// A write without this sign-in's anti-forgery token, or from another site (403).
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "about:blank", "Forbidden").detail(detail)
    }

    /// Not there, or not the caller's (404).
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "about:blank", "Not found")
    }

    /// The request clashes with what is kept (409).
    pub fn conflict(kind: &str, title: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, kind, title).detail(detail)
    }

    /// Too many attempts of one kind (429): `detail` says what was
    /// counted and for how long, `Retry-After` the seconds to wait.
    pub fn too_many(kind: &str, title: &str, detail: impl Into<String>, retry_after_seconds: u32) -> Self {
        let mut p = Self::new(StatusCode::TOO_MANY_REQUESTS, kind, title).detail(detail);
        p.retry_after = std::num::NonZeroU32::new(retry_after_seconds.max(1));
        p
    }

    /// The server is at capacity for this kind of work (429): try again
    /// after `retry_after_seconds`.
    pub fn busy(retry_after_seconds: u32) -> Self {
        let mut p = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "server-busy",
            "The server is busy; please try again in a moment",
        );
        p.retry_after = std::num::NonZeroU32::new(retry_after_seconds.max(1));
        p
    }

    /// Something failed on our side (500); the detail stays in the log.
    pub fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "about:blank", "Something went wrong on the server")
    }

    /// The server cannot serve now: its database does not answer (503).
    pub fn unavailable() -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "about:blank", "The server cannot reach its database")
    }

    /// The status.
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let retry_after = self.retry_after;
        let mut response = (status, Json(self)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/problem+json"));
        if let Some(seconds) = retry_after {
            headers.insert(header::RETRY_AFTER, header::HeaderValue::from(seconds.get()));
        }
        response
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => Problem::not_found(),
            StoreError::Conflict { what, id } => Problem::conflict(
                "conflict",
                "Already kept with different content",
                format!("{what} {id} is already kept with different content"),
            ),
            StoreError::Taken { what } => {
                Problem::conflict("taken", "Already in use", format!("this {what} is already in use"))
            }
            StoreError::Invalid(message) => match message.split_once(": ") {
                Some((field, problem)) if !field.contains(' ') => Problem::invalid(field, problem),
                _ => Problem::invalid("body", message),
            },
            other => {
                // The store's errors name tables and ids, never a person's data.
                tracing::error!(error = %other, "store failed");
                Problem::internal()
            }
        }
    }
}

impl From<knead_app::Error> for Problem {
    fn from(e: knead_app::Error) -> Self {
        match e {
            knead_app::Error::Invalid { field, message } => Problem::invalid(field, message),
            knead_app::Error::Refused(r) => {
                let mut p = Problem::conflict(r.kind, &r.title, r.detail);
                p.flag = r.flag;
                p
            }
            knead_app::Error::TooMany { kind, title, detail, retry_after_seconds } => {
                Problem::too_many(kind, title, detail, retry_after_seconds)
            }
            knead_app::Error::NotFound => Problem::not_found(),
            knead_app::Error::Store(e) => e.into(),
            knead_app::Error::Internal(why) => {
                tracing::error!(error = %why, "use case failed");
                Problem::internal()
            }
        }
    }
}

/// What handlers return.
pub type ApiResult<T> = Result<T, Problem>;
